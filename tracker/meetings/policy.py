"""Who may do what with meetings and minutes (views, services and templates ask these)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracker.access import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure, can_view_case
from tracker.extensions import db
from tracker.steering.models import MemberRole, SteeringMember


def _current_member(user: Any, case: Case) -> SteeringMember | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.user_id == user.id,
                                     SteeringMember.left_at.is_(None)).limit(1)
    ).scalars().first()


def can_manage_meetings(user: Any, case: Case) -> bool:
    """Schedule, edit, cancel meetings and record attendance: the case's HR officer."""
    return user is not None and can_run_procedure(user, case)


def can_draft_minutes(user: Any, case: Case) -> bool:
    """The case's HR officer, or a current steering member with the role secretary."""
    if user is None or case.is_archived:
        return False
    if can_run_procedure(user, case):
        return True
    member = _current_member(user, case)
    return member is not None and member.role == MemberRole.SECRETARY


def signing_membership(user: Any, case: Case) -> SteeringMember | None:
    """The user's current steering membership with role signatory, if any."""
    member = _current_member(user, case)
    if member is not None and member.role == MemberRole.SIGNATORY:
        return member
    return None


def can_sign_minutes(user: Any, case: Case) -> bool:
    return (has_permission(user, Permission.MINUTES_SIGN) and can_view_case(user, case)
            and signing_membership(user, case) is not None)
