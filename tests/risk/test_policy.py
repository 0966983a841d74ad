"""Role × relation matrix of the risk-assessment policy."""
from __future__ import annotations

import pytest

from tests.policy_matrix import answers, build, expected
from tracker.risk import policy

HR = ("hr_responsible", "hr_member")

MATRIX = [
    ("can_record_assessment", policy.can_record_assessment, HR),
    ("can_cosign_risk", policy.can_cosign_risk, ("safety_member",)),
    ("can_object", policy.can_object, ("union_member", "safety_member")),
    ("can_waive", policy.can_waive, HR),
]


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(app, factory, name, predicate, allowed):
    world = build(factory)
    assert answers(world, lambda u: predicate(u, world.case)) == expected(*allowed)


@pytest.mark.parametrize(("name", "predicate", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_archived_case_allows_nothing(app, factory, name, predicate, allowed):
    world = build(factory)
    world.archive()
    assert answers(world, lambda u: predicate(u, world.case)) == expected()
