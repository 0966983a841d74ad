"""Who may do what with accounts. Pure predicates: no Flask, no database."""
from __future__ import annotations

from collections.abc import Collection

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission


def can_manage_users(user: User) -> bool:
    """Administrators manage accounts, roles and organisations (and see no case content)."""
    return has_permission(user, Permission.USERS_MANAGE)


def can_log_in(user: User) -> bool:
    """Only an active account may sign in."""
    return user.active


# Roles that reach case content. Separation of duties: an administrator holds none of them.
CONTENT_ROLES: frozenset[Role] = frozenset(
    {Role.HR_OFFICER, Role.DECISION_MAKER, Role.UNION_REP, Role.SAFETY_REP, Role.AUDITOR})


def content_roles_in(roles: Collection[Role]) -> list[Role]:
    """The content roles among `roles`, in the enum's order."""
    return [role for role in Role if role in CONTENT_ROLES and role in roles]


def roles_are_separated(roles: Collection[Role]) -> bool:
    """True unless the roles combine administrator with a content role."""
    return Role.ADMIN not in roles or not content_roles_in(roles)
