"""The case policy as a role × relation matrix: every predicate, for every kind of user."""
from __future__ import annotations

import pytest

from tracker.auth import services as auth_services
from tracker.cases.models import Case, CaseStatus
from tracker.cases.policy import (
    can_edit_case,
    can_open_case,
    can_run_procedure,
    can_view_case,
    is_member,
    is_responsible_hr,
    visible_cases,
)
from tracker.extensions import db
from tracker.steering.models import Party

PREDICATES = ("is_member", "is_responsible_hr", "can_open_case", "can_view_case", "can_run_procedure",
              "can_edit_case", "visible")

# actor -> (is_member, is_responsible_hr, can_open_case, can_view_case, can_run_procedure, can_edit_case, visible)
MATRIX = {
    "responsible_hr": (False, True, True, True, True, True, True),
    "other_hr": (False, False, True, False, False, False, False),
    "hr_employer_member": (True, False, True, True, True, True, True),
    "decision_maker_member": (True, False, False, True, False, False, True),
    "decision_maker_outsider": (False, False, False, False, False, False, False),
    "union_rep_member": (True, False, False, True, False, False, True),
    "union_rep_outsider": (False, False, False, False, False, False, False),
    "safety_rep_member": (True, False, False, True, False, False, True),
    "auditor": (False, False, False, True, False, False, True),
    "admin": (False, False, False, False, False, False, False),
    "inactive_union_rep_member": (True, False, False, False, False, False, False),
    "inactive_responsible_hr": (False, True, False, False, False, False, False),
}


def _actor(factory, case: Case, name: str):
    if name == "responsible_hr":
        return case.responsible_hr
    if name == "inactive_responsible_hr":
        auth_services.set_active(None, case.responsible_hr, False)
        db.session.commit()
        return case.responsible_hr
    role = {"other": "hr_officer", "hr": "hr_officer", "decision": "decision_maker", "union": "union_rep",
            "safety": "safety_rep", "auditor": "auditor", "admin": "admin", "inactive": "union_rep"}[name.split("_")[0]]
    user = factory.user(role)
    if name.endswith("member"):
        party = Party.EMPLOYER if role in ("hr_officer", "decision_maker") else Party.PERSONNEL
        factory.member(case, user, party)
    if name.startswith("inactive"):
        auth_services.set_active(None, user, False)
        db.session.commit()
    return user


def _answers(user, case: Case) -> tuple[bool, ...]:
    visible = db.session.execute(visible_cases(user).where(Case.id == case.id)).scalar_one_or_none() is not None
    return (is_member(user, case), is_responsible_hr(user, case), can_open_case(user), can_view_case(user, case),
            can_run_procedure(user, case), can_edit_case(user, case), visible)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_active_case_matrix(factory, name):
    case = factory.case()
    user = _actor(factory, case, name)
    assert dict(zip(PREDICATES, _answers(user, case), strict=True)) == dict(zip(PREDICATES, MATRIX[name], strict=True))


# On a decided case the procedure still runs (evaluation), but its facts are no longer edited; on an
# archived case nobody runs or edits anything, while everyone who saw it still does.
@pytest.mark.parametrize("status", [CaseStatus.DECIDED, CaseStatus.ARCHIVED])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_closed_case_matrix(factory, name, status):
    case = factory.case()
    user = _actor(factory, case, name)
    case.status = status  # not committed: the predicates read the object as it is
    expected = dict(zip(PREDICATES, MATRIX[name], strict=True))
    expected["can_edit_case"] = False
    if status == CaseStatus.ARCHIVED:
        expected["can_run_procedure"] = False
    answers = dict(zip(PREDICATES, _answers(user, case), strict=True))
    db.session.rollback()
    assert answers == expected

