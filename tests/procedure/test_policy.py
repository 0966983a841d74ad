"""Role × relation matrix of the procedure's policy predicates (tracker.procedure.policy)."""
from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.procedure import policy
from tracker.procedure.queries import is_chair, position_party
from tracker.steering.models import Party

PREDICATES = ("edit_stages", "reopen", "add_position", "request_central", "end_central", "urgent", "override",
              "register_decision", "approve_evaluation", "archive")


def _row(*allowed: str) -> dict[str, bool]:
    return {name: name in allowed for name in PREDICATES}


RUNNER = ("edit_stages", "reopen", "add_position", "end_central", "urgent", "approve_evaluation", "archive")
PERSONNEL = ("add_position", "request_central")

# relation -> (roles, steering party or None, steering role) and the predicates that hold.
MATRIX: dict[str, tuple[tuple[str, Party | None, str], dict[str, bool]]] = {
    "responsible_hr": (("hr_officer", None, "member"), _row(*RUNNER)),
    "hr_employer_member": (("hr_officer", Party.EMPLOYER, "member"), _row(*RUNNER)),
    "decision_maker_member": (("decision_maker", Party.EMPLOYER, "member"),
                              _row("add_position", "urgent", "override", "register_decision")),
    "decision_maker_non_member": (("decision_maker", None, "member"), _row()),
    # Assigned by HR to the case (issue 14 item 10): the decision stage without membership.
    "decision_maker_assigned": (("decision_maker", None, "member"), _row("urgent", "override", "register_decision")),
    "union_rep_member": (("union_rep", Party.PERSONNEL, "member"), _row(*PERSONNEL)),
    "union_rep_chair": (("union_rep", Party.PERSONNEL, "chair"), _row(*PERSONNEL, "approve_evaluation")),
    "safety_rep_member": (("safety_rep", Party.PERSONNEL, "safety_representative"), _row(*PERSONNEL)),
    "auditor": (("auditor", None, "member"), _row()),
    "admin": (("admin", None, "member"), _row()),
    "outsider": (("union_rep", None, "member"), _row()),
}


def _answers(user, case) -> dict[str, bool]:
    party = position_party(user, case)
    return {
        "edit_stages": policy.can_edit_stages(user, case),
        "reopen": policy.can_reopen(user, case),
        "add_position": policy.can_add_position(user, case, party=party),
        "request_central": policy.can_request_central_negotiation(user, case, party=party),
        "end_central": policy.can_end_central_negotiation(user, case),
        "urgent": policy.can_record_urgent_decision(user, case),
        "override": policy.can_override(user, case),
        "register_decision": policy.can_register_decision(user, case),
        "approve_evaluation": policy.can_approve_evaluation(user, case, is_chair=is_chair(user, case)),
        "archive": policy.can_archive(user, case),
    }


def _user_in_relation(factory, case, relation: str):
    (role, party, steering_role), _expected = MATRIX[relation]
    if relation == "responsible_hr":
        return case.responsible_hr
    user = factory.user(role)
    if relation == "decision_maker_assigned":
        from tracker.cases.services import assign_decision_maker

        assign_decision_maker(case.responsible_hr, case, user)
    if party is not None:
        factory.member(case, user, party, role=steering_role)
    return user


@pytest.mark.parametrize("relation", list(MATRIX))
def test_policy_matrix(factory, relation):
    case = factory.case(profile="se-mbl")
    user = _user_in_relation(factory, case, relation)
    assert _answers(user, case) == MATRIX[relation][1]


@pytest.mark.parametrize("relation", ["responsible_hr", "decision_maker_member", "decision_maker_assigned",
                                      "union_rep_chair"])
def test_an_archived_case_permits_nothing(factory, relation):
    case = factory.case(profile="se-mbl")
    user = _user_in_relation(factory, case, relation)
    case.status = "archived"
    db.session.flush()
    assert case.is_archived
    assert _answers(user, case) == _row()


def test_a_member_who_left_loses_the_party_and_the_chair(factory):
    from tracker.steering import services as steering_services

    case = factory.case(profile="se-mbl")
    union = factory.user("union_rep")
    member = factory.member(case, union, Party.PERSONNEL, role="chair")
    assert position_party(union, case) == Party.PERSONNEL and is_chair(union, case)
    steering_services.end_membership(case.responsible_hr, member, "Slutat")
    db.session.commit()
    assert position_party(union, case) is None and not is_chair(union, case)
    assert _answers(union, case) == _row()
