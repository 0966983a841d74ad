"""Who may read which part of the audit trail. Pure predicates (no Flask), used by the views,
the case-page panel and the templates alike."""
from __future__ import annotations

from tracker.auth.models import User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case


def can_view_case_trail(user: User, case: Case) -> bool:
    """A case's own events: everyone who may see the case."""
    return can_view_case(user, case)


def can_see_client_addresses(user: User) -> bool:
    """The client address recorded with each event: auditors only."""
    return has_permission(user, Permission.AUDIT_VIEW_ALL)


def can_verify(user: User) -> bool:
    """Run the verifier from the web ("verify now"): auditors."""
    return has_permission(user, Permission.AUDIT_VIEW_ALL)
