import pytest

from tracker.audit.models import AuditEvent
from tracker.cases.services import open_case
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.procedure.models import StageRecord
from tracker.timeutil import local_date, utcnow


def test_open_case_assigns_gap_free_diary_numbers(factory):
    hr = factory.user("hr_officer")
    year = local_date(utcnow()).year
    cases = [factory.case(hr) for _ in range(3)]
    assert [c.diary_number for c in cases] == [f"SAM-{year}-{n:04d}" for n in (1, 2, 3)]
    assert all(c.responsible_hr_id == hr.id for c in cases)
    assert cases[0].profile_code == "se-mbl" and cases[0].profile_version == "1"


def test_rolled_back_registration_does_not_burn_a_number(factory):
    hr = factory.user("hr_officer")
    first = factory.case(hr)
    db.session.commit()
    open_case(hr, title="Rullas tillbaka")
    db.session.rollback()
    second = factory.case(hr)
    assert int(second.diary_number[-4:]) == int(first.diary_number[-4:]) + 1


def test_open_case_writes_audit_event_and_stage_records(factory):
    case = factory.case(profile="fi-municipal", units=["Kotihoito"], may_reduce_staff=True)
    events = db.session.query(AuditEvent).filter_by(action="case.opened").all()
    assert len(events) == 1 and events[0].case_id == case.id
    records = db.session.query(StageRecord).filter_by(case_id=case.id).all()
    assert len(records) == 7
    assert case.unit_names == ["Kotihoito"]


def test_only_hr_opens_cases(factory):
    union = factory.user("union_rep")
    with pytest.raises(PermissionDenied):
        open_case(union, title="X")


@pytest.mark.parametrize("fields,key", [
    ({"title": ""}, "title"),
    ({"title": "x", "profile_code": "nope"}, "profile_code"),
    ({"title": "x", "staff_affected": -1}, "staff_affected"),
    ({"title": "x", "is_large": True}, "units"),
])
def test_bad_input_is_refused_with_field(factory, fields, key):
    hr = factory.user("hr_officer")
    with pytest.raises(ValidationFailed) as info:
        open_case(hr, **fields)
    assert key in info.value.details["errors"]
