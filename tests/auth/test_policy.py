"""Role matrix of the account predicates (pure: no app, no database)."""
from __future__ import annotations

import pytest

from tracker.auth.models import Role, User, UserRole
from tracker.auth.policy import can_log_in, can_manage_users


def person(*roles: Role, ident: int = 1, active: bool = True) -> User:
    return User(id=ident, email=f"u{ident}@example.org", name="U", active=active,
                role_rows=[UserRole(role=role) for role in roles])


@pytest.mark.parametrize("role, expected", [
    (Role.HR_OFFICER, False), (Role.DECISION_MAKER, False), (Role.UNION_REP, False),
    (Role.SAFETY_REP, False), (Role.AUDITOR, False), (Role.ADMIN, True),
])
def test_only_administrators_manage_users(role, expected):
    assert can_manage_users(person(role)) is expected


def test_an_inactive_administrator_manages_nothing():
    assert can_manage_users(person(Role.ADMIN, active=False)) is False


def test_a_user_without_roles_manages_nothing():
    assert can_manage_users(person()) is False


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("active", [True, False])
def test_only_active_accounts_log_in(role, active):
    assert can_log_in(person(role, active=active)) is active
