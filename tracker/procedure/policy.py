"""Who may act in the procedure: pure, typed predicates (no Flask, no abort). Services, the case
page and templates ask the same questions.

Visibility (`can_view_case`, `can_run_procedure`) is the case's own rule, in
`tracker.cases.policy`. Facts a predicate cannot know from the user and the case alone (the party
the user speaks for, whether they chair the steering group) are passed in by the caller, read by
`tracker.procedure.queries` (`position_party`, `is_chair`).
"""
from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure, can_view_case, is_responsible_hr
from tracker.steering.models import Party


def _open_and_visible(user: User, case: Case) -> bool:
    return not case.is_archived and can_view_case(user, case)


def can_edit_stages(user: User, case: Case) -> bool:
    """Record stage content, complete stages, end the negotiation, archive: the procedure's runner."""
    return can_run_procedure(user, case) and can_view_case(user, case)


def can_reopen(user: User, case: Case) -> bool:
    """Reopen a completed stage: an HR officer who runs the case's procedure."""
    return user.has_role(Role.HR_OFFICER) and can_edit_stages(user, case)


def can_add_position(user: User, case: Case, *, party: str | None) -> bool:
    """Record a position: a user who speaks for a party in this case (`queries.position_party`)."""
    return (party is not None and has_permission(user, Permission.STAGE_POSITION)
            and _open_and_visible(user, case))


def can_request_central_negotiation(user: User, case: Case, *, party: str | None) -> bool:
    """Ask for central negotiation: a personnel-side representative of the case."""
    return (party == Party.PERSONNEL and has_permission(user, Permission.CENTRAL_NEGOTIATION_REQUEST)
            and _open_and_visible(user, case))


def can_end_central_negotiation(user: User, case: Case) -> bool:
    """Record the end of a central negotiation: the procedure's runner."""
    return can_edit_stages(user, case)


def can_record_urgent_decision(user: User, case: Case) -> bool:
    """Record extraordinary reasons (synnerliga skäl): the runner or a decision maker."""
    return _open_and_visible(user, case) and (
        can_run_procedure(user, case) or has_permission(user, Permission.DECISION_REGISTER))


def can_override(user: User, case: Case) -> bool:
    """Override a blocking deadline (a recorded non-compliance): a decision maker who sees the case."""
    return (has_permission(user, Permission.DEADLINE_OVERRIDE) and user.has_role(Role.DECISION_MAKER)
            and _open_and_visible(user, case))


def can_register_decision(user: User, case: Case) -> bool:
    """Register the decision: a decision maker who sees the case (assigned to it by HR, or a member)."""
    return has_permission(user, Permission.DECISION_REGISTER) and _open_and_visible(user, case)


def can_approve_evaluation(user: User, case: Case, *, is_chair: bool) -> bool:
    """Record the steering group's approval: its chair (`queries.is_chair`), or the runner on its behalf."""
    if not _open_and_visible(user, case):
        return False
    return can_run_procedure(user, case) or is_chair


def can_archive(user: User, case: Case) -> bool:
    """Archive the case after its evaluation: the procedure's runner."""
    return can_edit_stages(user, case)


def can_export_statement(user: User, case: Case) -> bool:
    """Export the decision statement: whoever runs the case, its decision makers and auditors."""
    if not can_view_case(user, case):
        return False
    return (is_responsible_hr(user, case) or can_run_procedure(user, case)
            or user.has_role(Role.DECISION_MAKER) or user.has_role(Role.AUDITOR))
