"""The steering demo step builds groups, comments, a counter-proposal and a co-signed assessment."""
from __future__ import annotations

from tests.demo_support import demo_context
from tests.factories import Factory
from tracker.demo import DemoContext
from tracker.demo import steering as demo
from tracker.discussion import queries as discussion_queries
from tracker.extensions import db
from tracker.risk import queries as risk_queries
from tracker.steering import services


def test_demo_step(app):
    context = demo_context(app)  # users (and the cases demo)
    hr = context.user("hr@example.org")
    case = Factory().case(hr=hr, units=["Hemtjänst Öst"])
    own = DemoContext(users=context.users, organisations=context.organisations, cases={"extra": case})
    demo.load(own)
    db.session.commit()
    members = {m.user.email: m for m in services.current_members(case)}
    assert {"hr@example.org", "decision@example.org", "union@example.org", "safety@example.org"} <= set(members)
    assert members["union@example.org"].units == ["Hemtjänst Öst"]
    assert len(discussion_queries.case_comments(case)) == 3
    [proposal] = discussion_queries.case_counter_proposals(case)
    assert proposal.answered_at is not None
    assessment = risk_queries.assessment_for(case)
    assert assessment.is_cosigned and assessment.cosigned_by.email == "safety@example.org"
    assert len(assessment.objections) == 1
