"""Who may export: every role in every relation to a case × every predicate of exports/policy.py."""
from __future__ import annotations

import pytest

from tracker.exports.policy import can_export, can_export_all

# (role, relation to the case) -> (can_export, can_export_all)
MATRIX = {
    ("hr_officer", "responsible_hr"): (True, False),
    ("hr_officer", "employer_member"): (False, False),
    ("decision_maker", "employer_member"): (False, False),
    ("union_rep", "personnel_member"): (False, False),
    ("safety_rep", "personnel_member"): (False, False),
    ("hr_officer", "outsider"): (False, False),
    ("decision_maker", "outsider"): (False, False),
    ("union_rep", "outsider"): (False, False),
    ("safety_rep", "outsider"): (False, False),
    ("auditor", "auditor"): (True, True),
    ("admin", "admin"): (False, False),
}


def user_in_relation(factory, role: str, relation: str):
    """A case and a user of `role` standing in `relation` to it."""
    responsible = factory.user("hr_officer")
    case = factory.case(responsible)
    if relation == "responsible_hr":
        return responsible, case
    user = factory.user(role)
    if relation == "employer_member":
        factory.member(case, user, "employer")
    elif relation == "personnel_member":
        factory.member(case, user, "personnel")
    return user, case


@pytest.mark.parametrize(("role", "relation"), list(MATRIX))
def test_export_policy_matrix(factory, role, relation):
    user, case = user_in_relation(factory, role, relation)
    assert (can_export(user, case), can_export_all(user)) == MATRIX[(role, relation)]


def test_an_inactive_auditor_may_not_export(factory):
    auditor = factory.user("auditor")
    case = factory.case()
    auditor.active = False
    assert not can_export(auditor, case) and not can_export_all(auditor)
