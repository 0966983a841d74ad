"""Who may act on a case's risk assessment. Pure predicates: no Flask."""
from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.steering.policy import can_manage_members, is_personnel_member


def can_record_assessment(user: User, case: Case) -> bool:
    """Record the written assessment: the case's HR officer, while the case is open."""
    return can_manage_members(user, case)


def can_cosign_risk(user: User, case: Case) -> bool:
    """A safety_rep who is a current personnel-side member (any role, incl. safety_representative)."""
    return (not case.is_archived and has_permission(user, Permission.RISK_COSIGN)
            and user.has_role(Role.SAFETY_REP) and is_personnel_member(user, case))


def can_object(user: User, case: Case) -> bool:
    """Object to the assessment's content: a current personnel-side member, while the case is open."""
    return not case.is_archived and is_personnel_member(user, case)


def can_waive(user: User, case: Case) -> bool:
    """Record why there is no co-signature: the case's HR officer, while the case is open."""
    return can_manage_members(user, case)
