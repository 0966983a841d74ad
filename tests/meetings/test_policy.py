"""Role × relation matrix of the meetings and minutes policy."""
from __future__ import annotations

import pytest

from tests.policy_matrix import answers, build, expected
from tracker.meetings import policy

HR = ("hr_responsible", "hr_member")

MATRIX = [
    ("can_manage_meetings", policy.can_manage_meetings, HR),
    # The decision maker sits in the group as its secretary.
    ("can_draft_minutes", policy.can_draft_minutes, (*HR, "decision_maker")),
    # Signatories: the employer-side HR member and the union rep.
    ("can_sign_minutes", policy.can_sign_minutes, ("hr_member", "union_member")),
    ("signing_membership", lambda u, case: policy.signing_membership(u, case) is not None,
     ("hr_member", "union_member")),
]


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(app, factory, name, predicate, allowed):
    world = build(factory)
    assert answers(world, lambda u: predicate(u, world.case)) == expected(*allowed)


def test_archived_case_cannot_be_managed_or_drafted(app, factory):
    world = build(factory)
    world.archive()
    assert answers(world, lambda u: policy.can_manage_meetings(u, world.case)) == expected()
    assert answers(world, lambda u: policy.can_draft_minutes(u, world.case)) == expected()
