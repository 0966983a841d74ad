"""Who may do what with accounts. Pure predicates: no Flask, no database."""
from __future__ import annotations

from tracker.auth.models import User
from tracker.auth.permissions import Permission, has_permission


def can_manage_users(user: User) -> bool:
    """Administrators manage accounts, roles and organisations (and see no case content)."""
    return has_permission(user, Permission.USERS_MANAGE)


def can_log_in(user: User) -> bool:
    """Only an active account may sign in."""
    return user.active
