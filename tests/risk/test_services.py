"""Risk assessment: creation by HR, co-signature with password, objections, waiver."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.risk import queries, services
from tracker.steering.models import Party


@pytest.fixture
def setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    safety = factory.user("safety_rep")
    factory.member(case, hr, Party.EMPLOYER, role="chair")
    factory.member(case, union, Party.PERSONNEL)
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative")
    return hr, case, union, safety


def test_create_cosign_object(setup):
    hr, case, union, safety = setup
    with pytest.raises(PermissionDenied):
        services.create_assessment(union, case, summary="x")
    with pytest.raises(ValidationFailed):
        services.create_assessment(hr, case, summary="  ")
    a = services.create_assessment(hr, case, summary="Arbetsbelastningen ökar i enhet A.")
    db.session.commit()
    assert queries.assessment_for(case).id == a.id
    with pytest.raises(Conflict):
        services.create_assessment(hr, case, summary="igen")
    db.session.rollback()

    with pytest.raises(PermissionDenied):
        services.cosign(union, a, password=PASSWORD)  # not a safety representative
    with pytest.raises(ValidationFailed) as info:
        services.cosign(safety, a, password="wrong")
    assert info.value.details["field"] == "password"
    db.session.rollback()
    assert a.cosigned_at is None
    services.cosign(safety, a, password=PASSWORD)
    db.session.commit()
    assert a.is_cosigned and a.cosigned_by_id == safety.id
    with pytest.raises(Conflict):
        services.cosign(safety, a, password=PASSWORD)

    o = services.add_objection(union, a, "Bedömningen underskattar risken för ensamarbete.")
    db.session.commit()
    assert [x.id for x in queries.assessment_for(case).objections] == [o.id]
    with pytest.raises(PermissionDenied):
        services.add_objection(hr, a, "Arbetsgivaren invänder inte mot sig själv")
    with pytest.raises(ValidationFailed):
        services.add_objection(union, a, "")
    actions = [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case.id)).scalars()]
    for action in ("risk_assessment.created", "risk_assessment.cosigned", "risk_assessment.objection_added"):
        assert actions.count(action) == 1


def test_safety_rep_must_be_a_current_personnel_member(factory, setup):
    hr, case, union, safety = setup
    a = services.create_assessment(hr, case, summary="Sammanfattning")
    db.session.commit()
    outsider = factory.user("safety_rep")
    with pytest.raises(PermissionDenied):
        services.cosign(outsider, a, password=PASSWORD)
    # A safety_rep who sits as an ordinary personnel member may co-sign too.
    plain = factory.user("safety_rep")
    factory.member(case, plain, Party.PERSONNEL, role="member")
    services.cosign(plain, a, password=PASSWORD)
    db.session.commit()
    assert a.cosigned_by_id == plain.id


def test_waiver(setup):
    hr, case, union, safety = setup
    a = services.create_assessment(hr, case, summary="Sammanfattning")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.waive(union, a, "Skyddsombudet är sjukskrivet hela perioden.")
    with pytest.raises(ValidationFailed) as info:
        services.waive(hr, a, "kort")
    assert info.value.details["field"] == "reason"
    services.waive(hr, a, "Skyddsombudet är sjukskrivet hela perioden.")
    db.session.commit()
    assert a.is_waived and a.waived_by_id == hr.id
    with pytest.raises(Conflict):
        services.waive(hr, a, "Skyddsombudet är sjukskrivet hela perioden.")
    # Co-signature is still possible afterwards; then no further waiver.
    services.cosign(safety, a, password=PASSWORD)
    db.session.commit()


def test_waiver_refused_after_cosign(setup):
    hr, case, union, safety = setup
    a = services.create_assessment(hr, case, summary="Sammanfattning")
    services.cosign(safety, a, password=PASSWORD)
    db.session.commit()
    with pytest.raises(Conflict):
        services.waive(hr, a, "Skyddsombudet är sjukskrivet hela perioden.")


def test_document_must_belong_to_case(setup):
    hr, case, _, _ = setup
    with pytest.raises(ValidationFailed) as info:
        services.create_assessment(hr, case, summary="S", document_id=999999)
    assert info.value.details["field"] == "document_id"
