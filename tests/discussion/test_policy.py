"""Role × relation matrix of the discussion policy."""
from __future__ import annotations

import pytest

from tests.policy_matrix import answers, build, expected
from tracker.discussion import policy, services
from tracker.extensions import db

HR = ("hr_responsible", "hr_member")
PERSONNEL = ("union_member", "safety_member")
MAY_COMMENT = ("hr_responsible", "hr_member", "union_member", "safety_member", "decision_maker")


def _world(factory):
    world = build(factory)
    author = world.users["union_member"]
    comment = services.add_comment(author, world.case, "grounds", "En synpunkt")
    proposal = services.submit_counter_proposal(author, world.case, title="Förslag", body="Text")
    db.session.flush()
    return world, comment, proposal


MATRIX = [
    ("can_comment", lambda u, w, c, p: policy.can_comment(u, w.case), MAY_COMMENT),
    ("can_edit_comment", lambda u, w, c, p: policy.can_edit_comment(u, c), ("union_member",)),
    # Only the author: the employer (HR) never removes the personnel side's statements (issue 15, finding 14).
    ("can_withdraw_comment", lambda u, w, c, p: policy.can_withdraw_comment(u, c), ("union_member",)),
    ("can_submit_counter_proposal", lambda u, w, c, p: policy.can_submit_counter_proposal(u, w.case), PERSONNEL),
    ("can_answer_counter_proposal", lambda u, w, c, p: policy.can_answer_counter_proposal(u, w.case), HR),
    ("can_withdraw_counter_proposal", lambda u, w, c, p: policy.can_withdraw_counter_proposal(u, p),
     ("union_member",)),
]


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(app, factory, name, predicate, allowed):
    world, comment, proposal = _world(factory)
    assert answers(world, lambda u: predicate(u, world, comment, proposal)) == expected(*allowed)


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_archived_case_allows_nothing(app, factory, name, predicate, allowed):
    world, comment, proposal = _world(factory)
    world.archive()
    assert answers(world, lambda u: predicate(u, world, comment, proposal)) == expected()


def test_withdrawn_comment_is_neither_editable_nor_withdrawable(app, factory):
    world, comment, _proposal = _world(factory)
    services.withdraw_comment(world.users["union_member"], comment)
    assert answers(world, lambda u: policy.can_edit_comment(u, comment)) == expected()
    assert answers(world, lambda u: policy.can_withdraw_comment(u, comment)) == expected()


def test_hr_comment_is_withdrawable_by_its_author_only(app, factory):
    world, _comment, _proposal = _world(factory)
    hr_comment = services.add_comment(world.users["hr_responsible"], world.case, "grounds", "Arbetsgivarens svar")
    db.session.flush()
    assert answers(world, lambda u: policy.can_withdraw_comment(u, hr_comment)) == expected("hr_responsible")


def test_answered_proposal_cannot_be_withdrawn(app, factory):
    world, _comment, proposal = _world(factory)
    services.answer_counter_proposal(world.users["hr_responsible"], proposal, "Vi har övervägt förslaget noga.")
    assert answers(world, lambda u: policy.can_withdraw_counter_proposal(u, proposal)) == expected()
