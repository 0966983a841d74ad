"""What an administrator may do to accounts. Pure predicates: no Flask, no database.

Administrators run the system (accounts, roles, organisations) and never see case content.
Separation of duties: an administrator account never holds a content role, and an administrator
cannot change their own roles (nor deactivate their own account, so nobody locks themselves out).
"""
from __future__ import annotations

from collections.abc import Collection

from tracker.auth.models import Role, User
from tracker.auth.policy import can_manage_users, roles_are_separated


def _is_self(actor: User, target: User) -> bool:
    return actor.id == target.id


def can_create_users(actor: User) -> bool:
    """Create accounts (and the organisation a new account belongs to)."""
    return can_manage_users(actor)


def can_manage_organisations(actor: User) -> bool:
    """List and create organisations."""
    return can_manage_users(actor)


def can_change_roles(actor: User, target: User, roles: Collection[Role] | None = None) -> bool:
    """Set `target`'s roles (to `roles`, when given): never one's own, never admin with a content role."""
    if not can_manage_users(actor) or _is_self(actor, target):
        return False
    return roles is None or roles_are_separated(roles)


def can_set_active(actor: User, target: User, active: bool) -> bool:
    """Activate anyone, deactivate anyone but oneself."""
    return can_manage_users(actor) and (active or not _is_self(actor, target))


def can_deactivate(actor: User, target: User) -> bool:
    """Deactivate `target` (never oneself)."""
    return can_set_active(actor, target, False)


def can_reset_password(actor: User, target: User) -> bool:
    """Set a new password for `target` (ends all their sessions)."""
    return can_manage_users(actor)
