"""Refused case-scoped objects are audited as `<kind>.access_denied`, rate-limited, and kept
although the answer is 404 (issue 15, finding 10)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.discussion import services as discussion
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.steering.models import Party
from tracker.timeutil import utcnow


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


@pytest.fixture
def world(factory):
    hr = factory.user("hr_officer")
    member = factory.user("union_rep")
    case = factory.case(hr=hr)
    factory.member(case, hr, Party.EMPLOYER)
    factory.member(case, member, Party.PERSONNEL)
    start = utcnow() + timedelta(days=3)
    meeting = meetings.schedule_meeting(hr, case, title="Förhandling", starts_at=start,
                                        ends_at=start + timedelta(hours=1), place="Rum 1", stages=["grounds"])
    comment = discussion.add_comment(member, case, "early_information", "Vi vill veta mer.")
    outsider = factory.user("union_rep")
    db.session.commit()
    return {"case": case, "meeting": meeting, "comment": comment, "outsider": outsider, "member": member}


def _attempts(world):
    case = world["case"]
    return [
        ("case", lambda web: web.client.get(f"/cases/{case.id}")),
        ("meeting", lambda web: web.client.get(f"/meetings/{world['meeting'].id}")),
        ("comment", lambda web: web.client.get(f"/comments/{world['comment'].id}/history")),
        ("export", lambda web: web.post(f"/cases/{case.id}/export", {"format": "json"})),
    ]


def test_each_denial_is_one_event_kept_although_the_answer_is_404(web, factory, world):
    outsider, case = world["outsider"], world["case"]
    assert web.login(outsider.email, factory.password).status_code == 302
    for kind, attempt in _attempts(world):
        before = len(events(f"{kind}.access_denied"))
        assert attempt(web).status_code == 404, kind
        db.session.expire_all()
        denied = events(f"{kind}.access_denied")
        assert len(denied) == before + 1, kind
        assert denied[-1].actor_id == outsider.id and denied[-1].case_id == case.id, kind
        # The same try again within the window: still 404, no new event.
        assert attempt(web).status_code == 404, kind
        db.session.expire_all()
        assert len(events(f"{kind}.access_denied")) == before + 1, kind


def test_a_missing_object_records_nothing(web, factory, world):
    outsider = world["outsider"]
    web.login(outsider.email, factory.password)
    assert web.client.get("/cases/987654").status_code == 404
    assert web.client.get("/meetings/987654").status_code == 404
    db.session.expire_all()
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("%.access_denied"))).all()


def test_a_member_is_not_denied(web, factory, world):
    web.login(world["member"].email, factory.password)
    assert web.client.get(f"/cases/{world['case'].id}").status_code == 200
    assert web.client.get(f"/meetings/{world['meeting'].id}").status_code == 200
    db.session.expire_all()
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("%.access_denied"))).all()


@pytest.mark.parametrize("app", [{"AUDIT_DENIAL_WINDOW_SECONDS": 0}], indirect=True)
def test_after_the_window_a_denial_is_recorded_again(web, factory, world):
    web.login(world["outsider"].email, factory.password)
    web.client.get(f"/cases/{world['case'].id}")
    web.client.get(f"/cases/{world['case'].id}")
    db.session.expire_all()
    assert len(events("case.access_denied")) == 2


def test_another_case_is_a_separate_denial(web, factory, world):
    other = factory.case()
    db.session.commit()
    web.login(world["outsider"].email, factory.password)
    web.client.get(f"/cases/{world['case'].id}")
    web.client.get(f"/cases/{other.id}")
    db.session.expire_all()
    assert sorted(e.case_id for e in events("case.access_denied")) == sorted([world["case"].id, other.id])
