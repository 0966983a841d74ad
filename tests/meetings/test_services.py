"""Meetings and minutes rules, through the services."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from tests.meetings.helpers import at, meeting, signed_case
from tracker.audit.models import AuditEvent
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.meetings import queries, services
from tracker.meetings.diff import diff_versions
from tracker.meetings.models import MinutesSignature, MinutesStatus


def actions(case_id: int) -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)).scalars())


# --- meetings ----------------------------------------------------------------------------------

def test_schedule_invites_current_members_and_is_audited(app, factory):
    s = signed_case(factory)
    m = meeting(s, days=3, stages=["grounds", "effects"])
    assert {a.user_id for a in m.attendees} == {s.employer_signatory.id, s.union_signatory.id,
                                                 s.secretary.id, s.member.id}
    assert {a.party for a in m.attendees} == {"employer", "personnel"}
    assert m.stages == ["grounds", "effects"]
    assert "meeting.scheduled" in actions(s.case.id)


def test_stages_kept_in_stage_order_and_unknown_refused(app, factory):
    s = signed_case(factory)
    m = meeting(s, stages=["alternatives", "grounds"])
    assert m.stages == ["grounds", "alternatives"]
    with pytest.raises(ValidationFailed) as error:
        services.schedule_meeting(s.hr, s.case, title="X", starts_at=at(1), ends_at=at(1, 10),
                                  place="Rum", stages=["nonsense"])
    assert error.value.details["field"] == "stages"


@pytest.mark.parametrize("fields, field", [
    ({"title": " "}, "title"),
    ({"ends_at": at(1, 8)}, "ends_at"),
    ({"place": "", "link": ""}, "place"),
    ({"place": "", "link": "javascript:alert(1)"}, "link"),
])
def test_schedule_bad_input(app, factory, fields, field):
    s = signed_case(factory)
    values = dict(title="Möte", starts_at=at(1, 9), ends_at=at(1, 10), place="Rum 3", link="")
    values.update(fields)
    with pytest.raises(ValidationFailed) as error:
        services.schedule_meeting(s.hr, s.case, **values)
    assert error.value.details["field"] == field


def test_only_hr_officer_schedules(app, factory):
    s = signed_case(factory)
    other_hr = factory.user("hr_officer")
    for actor in (s.union_signatory, s.employer_signatory, other_hr):
        with pytest.raises(PermissionDenied):
            services.schedule_meeting(actor, s.case, title="X", starts_at=at(1), ends_at=at(1, 10), place="R")


def test_update_bumps_sequence_and_cancel(app, factory):
    s = signed_case(factory)
    m = meeting(s, days=2)
    services.update_meeting(s.hr, m, title="Nytt namn", starts_at=m.starts_at, ends_at=m.ends_at,
                            place="Annat rum", stages=m.stages)
    db.session.commit()
    assert m.sequence == 1 and m.place == "Annat rum"
    services.cancel_meeting(s.hr, m, "Sjukdom")
    db.session.commit()
    assert m.is_cancelled
    with pytest.raises(Conflict):
        services.update_meeting(s.hr, m, title="X", starts_at=m.starts_at, ends_at=m.ends_at, place="R")
    assert actions(s.case.id)[-2:] == ["meeting.updated", "meeting.cancelled"]
    assert queries.first_meeting_start(s.case) is None


def test_attendance_after_the_meeting(app, factory):
    s = signed_case(factory)
    future = meeting(s, days=2)
    db.session.commit()  # the setup exists before the action under test (factories only flush)
    with pytest.raises(ValidationFailed):
        services.record_attendance(s.hr, future, {a.id: True for a in future.attendees})
    db.session.rollback()
    past = meeting(s, days=-1)
    with pytest.raises(ValidationFailed):  # every invitee must be marked
        services.record_attendance(s.hr, past, {past.attendees[0].id: True})
    db.session.rollback()
    marks = {a.id: a.user_id != s.member.id for a in past.attendees}
    services.record_attendance(s.hr, past, marks)
    db.session.commit()
    assert [a.present for a in past.attendees if a.user_id == s.member.id] == [False]
    assert actions(s.case.id)[-1] == "meeting.attendance_recorded"


def test_first_meeting_start(app, factory):
    s = signed_case(factory)
    later = meeting(s, days=5)
    earlier = meeting(s, days=2)
    assert queries.first_meeting_start(s.case) == earlier.starts_at
    services.cancel_meeting(s.hr, earlier)
    db.session.commit()
    assert queries.first_meeting_start(s.case) == later.starts_at


# --- minutes -----------------------------------------------------------------------------------

def test_versions_are_hashed_and_numbered(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "§1 Mötet öppnas.\n§2 Åtgärder")
    db.session.commit()
    v2 = services.save_minutes(s.secretary, m, "§1 Mötet öppnas.\n§2 Åtgärder, ändrade")
    db.session.commit()
    assert (v1.number, v2.number) == (1, 2)
    assert v1.sha256 == hashlib.sha256("§1 Mötet öppnas.\n§2 Åtgärder".encode()).hexdigest()
    minutes = services.minutes_of(m)
    assert minutes.current_version_id == v2.id and minutes.status == MinutesStatus.DRAFT
    assert actions(s.case.id).count("minutes.drafted") == 2


def test_who_drafts(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    for actor in (s.union_signatory, s.member, s.outsider):
        with pytest.raises(PermissionDenied):
            services.save_minutes(actor, m, "text")
    with pytest.raises(ValidationFailed):
        services.save_minutes(s.hr, m, "   ")


def test_submit_needs_a_signatory_per_party(app, factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    factory.member(case, union, "personnel", role="signatory")
    factory.member(case, factory.user("decision_maker"), "employer", role="member")
    from tests.meetings.helpers import Setup

    s = Setup(case, hr, None, union, None, None, None)
    m = meeting(s)
    services.save_minutes(hr, m, "Protokoll")
    db.session.commit()
    with pytest.raises(Conflict) as error:
        services.submit_minutes(hr, services.minutes_of(m))
    assert "arbetsgivaren saknar justerare" in error.value.message


def test_both_parties_approve_then_locked(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "Protokoll v1")
    minutes = services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    assert minutes.status == MinutesStatus.AWAITING_APPROVAL
    with pytest.raises(ValidationFailed):
        services.approve_minutes(s.employer_signatory, v1, password="wrong")
    db.session.rollback()
    services.approve_minutes(s.employer_signatory, v1, password=factory.password, sha256=v1.sha256)
    db.session.commit()
    assert minutes.status == MinutesStatus.AWAITING_APPROVAL
    with pytest.raises(Conflict):  # only once per version
        services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    db.session.rollback()
    sig = services.approve_minutes(s.union_signatory, v1, password=factory.password)
    db.session.commit()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_at is not None
    assert sig.version_id == v1.id and sig.sha256 == v1.sha256 and sig.party == "personnel"
    with pytest.raises(Conflict):
        services.save_minutes(s.hr, m, "Ändrat i efterhand")
    with pytest.raises(Conflict):
        services.refuse_minutes(s.union_signatory, v1, password=factory.password, objection="x")
    with pytest.raises(Conflict):
        services.submit_minutes(s.hr, minutes)
    with pytest.raises(Conflict):
        services.update_meeting(s.hr, m, title="Nytt", starts_at=m.starts_at, ends_at=m.ends_at, place="R")
    with pytest.raises(Conflict):
        services.record_attendance(s.hr, m, {a.id: False for a in m.attendees})
    with pytest.raises(Conflict):
        services.cancel_meeting(s.hr, m)
    assert actions(s.case.id)[-2:] == ["minutes.approved", "minutes.approved"]


def test_non_signatories_cannot_sign(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "Protokoll")
    services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    for actor in (s.member, s.secretary, s.hr):
        with pytest.raises(PermissionDenied):
            services.approve_minutes(actor, v1, password=factory.password)


def test_hash_mismatch_refused(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "Protokoll")
    services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    with pytest.raises(Conflict):
        services.approve_minutes(s.union_signatory, v1, password=factory.password, sha256="0" * 64)


def test_refusal_disputes_and_new_version_voids(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "Protokoll v1")
    minutes = services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        services.refuse_minutes(s.union_signatory, v1, password=factory.password, objection="  ")
    assert error.value.details["field"] == "objection"
    db.session.rollback()
    services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    services.refuse_minutes(s.union_signatory, v1, password=factory.password, objection="§3 saknas.")
    db.session.commit()
    assert minutes.status == MinutesStatus.DISPUTED
    v2 = services.save_minutes(s.hr, m, "Protokoll v2 med §3")
    db.session.commit()
    assert minutes.status == MinutesStatus.DRAFT
    history = services.signatures_of(minutes)
    assert len(history) == 2 and all(sig.voided_at is not None for sig in history)
    assert actions(s.case.id)[-2:] == ["minutes.drafted", "approvals.voided"]
    with pytest.raises(Conflict):  # old version can no longer be signed
        services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    db.session.rollback()
    services.submit_minutes(s.hr, minutes)
    services.approve_minutes(s.employer_signatory, v2, password=factory.password)
    services.approve_minutes(s.union_signatory, v2, password=factory.password)
    db.session.commit()
    assert minutes.status == MinutesStatus.APPROVED
    live = db.session.execute(select(MinutesSignature).where(MinutesSignature.voided_at.is_(None))).scalars().all()
    assert {sig.version_id for sig in live} == {v2.id}


def test_every_signatory_must_approve(app, factory):
    s = signed_case(factory)
    second = factory.user("union_rep")
    factory.member(s.case, second, "personnel", role="signatory")
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "Protokoll")
    minutes = services.submit_minutes(s.hr, services.minutes_of(m))
    services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    services.approve_minutes(s.union_signatory, v1, password=factory.password)
    db.session.commit()
    assert minutes.status == MinutesStatus.AWAITING_APPROVAL
    services.approve_minutes(second, v1, password=factory.password)
    db.session.commit()
    assert minutes.status == MinutesStatus.APPROVED


def test_diff_rows(app, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, "a\nb\nc")
    db.session.commit()
    v2 = services.save_minutes(s.hr, m, "a\nB\nc\nd")
    rows = diff_versions(v1, v2)
    assert [r.kind for r in rows] == ["equal", "changed", "equal", "added"]
    assert rows[1].left == "b" and rows[1].right == "B" and rows[3].right_number == 4


def test_summaries_constant_queries(app, factory, count_queries):
    s = signed_case(factory)

    def count() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            summaries = queries.case_meeting_summaries(s.case)
            for summary in summaries:
                _ = [o.signer.name for o in summary.objections]
                _ = summary.minutes and summary.minutes.status
        return len(statements)

    def add_disputed(n: int) -> None:
        for _i in range(n):
            m = meeting(s)
            v = services.save_minutes(s.hr, m, "text")
            services.submit_minutes(s.hr, services.minutes_of(m))
            services.refuse_minutes(s.union_signatory, v, password=factory.password, objection="nej")
            db.session.commit()

    add_disputed(1)
    small = count()
    add_disputed(4)
    assert count() == small
