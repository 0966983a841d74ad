"""Who may do what with meetings and minutes (views, services and templates ask these). No Flask."""
from __future__ import annotations

from tracker.auth.models import User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure, can_view_case
from tracker.steering.models import MemberRole, SteeringMember
from tracker.steering.policy import current_membership


def can_manage_meetings(user: User, case: Case) -> bool:
    """Schedule, edit, cancel meetings and record attendance: the case's HR officer."""
    return can_run_procedure(user, case)


def can_draft_minutes(user: User, case: Case) -> bool:
    """The case's HR officer, or a current steering member with the role secretary."""
    if case.is_archived:
        return False
    if can_run_procedure(user, case):
        return True
    member = current_membership(user, case)
    return member is not None and member.role == MemberRole.SECRETARY


def signing_membership(user: User, case: Case) -> SteeringMember | None:
    """The user's current steering membership with role signatory, if any."""
    member = current_membership(user, case)
    if member is not None and member.role == MemberRole.SIGNATORY:
        return member
    return None


def can_sign_minutes(user: User, case: Case) -> bool:
    """A party's signatory (a current member with role signatory) holding Permission.MINUTES_SIGN."""
    return (has_permission(user, Permission.MINUTES_SIGN) and can_view_case(user, case)
            and signing_membership(user, case) is not None)
