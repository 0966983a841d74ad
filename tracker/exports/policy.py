"""Who may export a case's procedure record. Pure predicates (no Flask), used by the services,
the views, the case-page panel and the templates alike."""
from __future__ import annotations

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case, is_responsible_hr


def can_export(user: User, case: Case) -> bool:
    """Auditors, and the case's responsible HR officer (both must see the case)."""
    if not has_permission(user, Permission.EXPORT) or not can_view_case(user, case):
        return False
    return user.has_role(Role.AUDITOR) or is_responsible_hr(user, case)


def can_export_all(user: User) -> bool:
    """The cross-case overview and bulk export: auditors only."""
    return has_permission(user, Permission.EXPORT) and has_permission(user, Permission.AUDIT_VIEW_ALL)
