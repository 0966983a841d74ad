"""Role × relation matrix of the administration predicates (pure: no app, no database)."""
from __future__ import annotations

import pytest

from tracker.admin import policy
from tracker.auth.models import Role, User, UserRole

ACTOR_ID, OTHER_ID = 1, 2


def person(*roles: Role, ident: int = ACTOR_ID, active: bool = True) -> User:
    return User(id=ident, email=f"u{ident}@example.org", name="U", active=active,
                role_rows=[UserRole(role=role) for role in roles])


CONTENT_ROLES = [Role.HR_OFFICER, Role.DECISION_MAKER, Role.UNION_REP, Role.SAFETY_REP, Role.AUDITOR]


@pytest.mark.parametrize("relation", ["self", "other"])
@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_no_content_role_may_administer_anyone(role, relation):
    actor = person(role)
    target = actor if relation == "self" else person(Role.UNION_REP, ident=OTHER_ID)
    assert policy.can_create_users(actor) is False
    assert policy.can_manage_organisations(actor) is False
    assert policy.can_change_roles(actor, target) is False
    assert policy.can_change_roles(actor, target, [Role.ADMIN]) is False
    assert policy.can_set_active(actor, target, True) is False
    assert policy.can_deactivate(actor, target) is False
    assert policy.can_reset_password(actor, target) is False


# (predicate, on another user, on oneself)
ADMIN_MATRIX = [
    ("create users", lambda a, t: policy.can_create_users(a), True, True),
    ("manage organisations", lambda a, t: policy.can_manage_organisations(a), True, True),
    ("open the roles form", lambda a, t: policy.can_change_roles(a, t), True, False),
    ("set roles to admin only", lambda a, t: policy.can_change_roles(a, t, [Role.ADMIN]), True, False),
    ("set roles to admin and a content role",
     lambda a, t: policy.can_change_roles(a, t, [Role.ADMIN, Role.AUDITOR]), False, False),
    ("set roles without admin", lambda a, t: policy.can_change_roles(a, t, [Role.AUDITOR]), True, False),
    ("activate", lambda a, t: policy.can_set_active(a, t, True), True, True),
    ("deactivate", lambda a, t: policy.can_deactivate(a, t), True, False),
    ("deactivate (set_active)", lambda a, t: policy.can_set_active(a, t, False), True, False),
    ("reset a password", lambda a, t: policy.can_reset_password(a, t), True, True),
]


@pytest.mark.parametrize("name, check, on_other, on_self", ADMIN_MATRIX, ids=[row[0] for row in ADMIN_MATRIX])
def test_an_administrator_administers_everyone_but_never_themselves_nor_into_content(name, check, on_other, on_self):
    admin = person(Role.ADMIN)
    assert check(admin, person(Role.HR_OFFICER, ident=OTHER_ID)) is on_other
    assert check(admin, person(Role.ADMIN, ident=OTHER_ID)) is on_other
    assert check(admin, admin) is on_self


@pytest.mark.parametrize("name, check, on_other, on_self", ADMIN_MATRIX, ids=[row[0] for row in ADMIN_MATRIX])
def test_an_inactive_administrator_may_do_nothing(name, check, on_other, on_self):
    admin = person(Role.ADMIN, active=False)
    assert check(admin, person(Role.HR_OFFICER, ident=OTHER_ID)) is False
    assert check(admin, admin) is False


@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_admin_never_combines_with_a_content_role(role):
    from tracker.auth.policy import roles_are_separated

    assert roles_are_separated([Role.ADMIN]) is True
    assert roles_are_separated([role]) is True
    assert roles_are_separated([Role.ADMIN, role]) is False
    admin = person(Role.ADMIN)
    assert policy.can_change_roles(admin, person(role, ident=OTHER_ID), [Role.ADMIN, role]) is False
    assert policy.can_change_roles(admin, person(Role.ADMIN, ident=OTHER_ID), [role]) is True
