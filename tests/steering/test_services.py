"""Steering-group membership rules, through the services."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.signals import member_added
from tracker.steering import services
from tracker.steering.models import MemberRole, Party


def _actions(case):
    return [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)).scalars()]


def test_hr_adds_both_parties_and_gate_helpers(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr, units=["Enhet A", "Enhet B"], is_large=True)
    union = factory.user("union_rep")
    assert services.represented_parties(case) == set()
    assert services.unrepresented_units(case) == ["Enhet A", "Enhet B"]

    received = []

    def receiver(sender, **kw):
        received.append((sender, kw))

    member_added.connect(receiver, weak=False)
    try:
        services.add_member(hr, case, hr, party=Party.EMPLOYER, role=MemberRole.CHAIR)
        m = services.add_member(hr, case, union, party=Party.PERSONNEL, role="signatory", units=["Enhet A"])
        db.session.commit()
    finally:
        member_added.disconnect(receiver)  # other features' receivers stay connected
    assert services.represented_parties(case) == {Party.EMPLOYER, Party.PERSONNEL}
    assert services.unrepresented_units(case) == ["Enhet B"]
    assert m.union is not None and m.union.name == "Kommunal"  # defaults to the user's union
    assert [r[0] for r in received][-1] is m and received[-1][1]["case"] is case
    assert _actions(case).count("steering.member_added") == 2
    assert [u.id for u in services.signatories(case, Party.PERSONNEL)] == [union.id]
    assert [u.id for u in services.signatories(case, Party.EMPLOYER)] == [hr.id]


def test_end_membership_keeps_history(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    m = factory.member(case, union, Party.PERSONNEL)
    services.end_membership(hr, m, reason="Bytt uppdrag")
    db.session.commit()
    assert services.current_members(case) == []
    assert [x.id for x in services.all_members(case)] == [m.id]
    assert m.left_at is not None
    assert "steering.member_removed" in _actions(case)
    with pytest.raises(Conflict):
        services.end_membership(hr, m)
    # May rejoin later: a new membership row.
    again = factory.member(case, union, Party.PERSONNEL)
    assert again.id != m.id and len(services.all_members(case)) == 2


def test_only_case_hr_manages_members(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    other_hr = factory.user("hr_officer")
    union = factory.user("union_rep")
    with pytest.raises(PermissionDenied):
        services.add_member(other_hr, case, union, party=Party.PERSONNEL)
    m = factory.member(case, union, Party.PERSONNEL)
    with pytest.raises(PermissionDenied):
        services.add_member(union, case, factory.user("union_rep"), party=Party.PERSONNEL)
    with pytest.raises(PermissionDenied):
        services.end_membership(union, m)


@pytest.mark.parametrize("role,party,member_role,units,field", [
    ("union_rep", "employer", "member", (), "party"),
    ("hr_officer", "personnel", "member", (), "party"),
    ("union_rep", "personnel", "safety_representative", (), "role"),
    ("safety_rep", "employer", "safety_representative", (), "party"),
    ("union_rep", "personnel", "boss", (), "role"),
    ("union_rep", "martians", "member", (), "party"),
    ("union_rep", "personnel", "member", ("Enhet X",), "units"),
    ("admin", "employer", "member", (), "user"),
    ("auditor", "employer", "member", (), "user"),
    ("decision_maker", "employer", "member", ("Enhet A",), "units"),
])
def test_invalid_combinations_refused(factory, role, party, member_role, units, field):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr, units=["Enhet A"])
    user = factory.user(role)
    with pytest.raises(ValidationFailed) as info:
        services.add_member(hr, case, user, party=party, role=member_role, units=units)
    assert info.value.details.get("field") == field
    db.session.rollback()
    assert services.current_members(case) == []


def test_inactive_user_and_duplicate_refused(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    user = factory.user("safety_rep")
    factory.member(case, user, Party.PERSONNEL, role="safety_representative")
    with pytest.raises(Conflict):
        services.add_member(hr, case, user, party=Party.PERSONNEL)
    db.session.rollback()
    inactive = factory.user("union_rep")
    inactive.active = False
    with pytest.raises(ValidationFailed):
        services.add_member(hr, case, inactive, party=Party.PERSONNEL)
    db.session.rollback()


def test_union_must_be_a_union(factory):
    from tracker.auth.models import OrganisationKind

    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    employer = factory.organisation("Exempelstad", OrganisationKind.EMPLOYER)
    with pytest.raises(ValidationFailed) as info:
        services.add_member(hr, case, factory.user("union_rep"), party=Party.PERSONNEL, union=employer)
    assert info.value.details["field"] == "union"
