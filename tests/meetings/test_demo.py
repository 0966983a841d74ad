"""The meetings demo step: one meeting with approved minutes, one with disputed minutes."""
from __future__ import annotations

from sqlalchemy import select

from tests.demo_support import demo_context
from tests.factories import Factory
from tracker.demo import DemoContext
from tracker.demo import meetings as demo
from tracker.extensions import db
from tracker.meetings.models import Meeting, Minutes, MinutesSignature, MinutesStatus


def test_demo_step(app):
    context = demo_context(app)  # users, and every demo step (cases, steering, ours...)
    hr = context.user("hr@example.org")
    cases = {"a": Factory().case(hr=hr, title="Kök A"), "b": Factory().case(hr=hr, title="Kök B")}
    demo.load(DemoContext(users=context.users, organisations=context.organisations, cases=cases))
    db.session.commit()
    ours = [c.id for c in cases.values()]
    statuses = sorted(db.session.execute(select(Minutes.status).where(Minutes.case_id.in_(ours))).scalars())
    assert statuses == [MinutesStatus.APPROVED, MinutesStatus.DISPUTED]
    refusal = db.session.execute(
        select(MinutesSignature).where(MinutesSignature.decision == "refused",
                                       MinutesSignature.minutes_id.in_(select(Minutes.id).where(
                                           Minutes.case_id.in_(ours))))).scalar_one()
    assert refusal.objection and refusal.voided_at is None and refusal.signer.email == "union@example.org"
    upcoming = db.session.execute(select(Meeting).where(Meeting.case_id.in_(ours),
                                                        Meeting.title == "Uppföljande möte")).scalar_one()
    assert upcoming.attendees
