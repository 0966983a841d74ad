"""Who may read the trail: every role in every relation to a case × every predicate of audit/policy.py."""
from __future__ import annotations

import pytest

from tests.exports.test_policy import user_in_relation
from tracker.audit.policy import can_see_client_addresses, can_verify, can_view_case_trail

# (role, relation to the case) -> (can_view_case_trail, can_see_client_addresses, can_verify)
MATRIX = {
    ("hr_officer", "responsible_hr"): (True, False, False),
    ("hr_officer", "employer_member"): (True, False, False),
    ("decision_maker", "employer_member"): (True, False, False),
    ("union_rep", "personnel_member"): (True, False, False),
    ("safety_rep", "personnel_member"): (True, False, False),
    ("hr_officer", "outsider"): (False, False, False),
    ("decision_maker", "outsider"): (False, False, False),
    ("union_rep", "outsider"): (False, False, False),
    ("safety_rep", "outsider"): (False, False, False),
    ("auditor", "auditor"): (True, True, True),
    ("admin", "admin"): (False, False, False),
}


@pytest.mark.parametrize(("role", "relation"), list(MATRIX))
def test_audit_policy_matrix(factory, role, relation):
    user, case = user_in_relation(factory, role, relation)
    assert (can_view_case_trail(user, case), can_see_client_addresses(user), can_verify(user)) == \
        MATRIX[(role, relation)]
