"""Role × relation matrix of the steering policy."""
from __future__ import annotations

import pytest

from tests.policy_matrix import answers, build, expected
from tracker.steering import policy

HR = ("hr_responsible", "hr_member")
MEMBERS = ("hr_member", "union_member", "safety_member", "decision_maker")

MATRIX = [
    ("can_manage_members", lambda u, case: policy.can_manage_members(u, case), HR),
    ("is_personnel_member", lambda u, case: policy.is_personnel_member(u, case), ("union_member", "safety_member")),
    ("current_membership", lambda u, case: policy.current_membership(u, case) is not None, MEMBERS),
]


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(app, factory, name, predicate, allowed):
    world = build(factory)
    assert answers(world, lambda u: predicate(u, world.case)) == expected(*allowed)


def test_archived_case_cannot_be_managed(app, factory):
    world = build(factory)
    world.archive()
    assert answers(world, lambda u: policy.can_manage_members(u, world.case)) == expected()
    # Membership itself is history, not an action: it stays.
    assert answers(world, lambda u: policy.current_membership(u, world.case) is not None) == expected(*MEMBERS)
