"""Separation of duties: an administrator never holds a content role nor changes their own roles,
and every grant of a content role is announced to every auditor and administrator."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.admin.test_views import _user
from tracker.auth import services
from tracker.auth.models import Organisation, OrganisationKind, Role
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.notifications.labels import message
from tracker.notifications.models import Notification, NotificationKind

CONTENT_ROLES = ["hr_officer", "decision_maker", "union_rep", "safety_rep", "auditor"]
SEPARATE = "Ett administratörskonto kan inte ha en roll med åtkomst till ärenden"


def _org() -> Organisation:
    return services.get_or_create_organisation(None, "Exempelstad", OrganisationKind.EMPLOYER)


def _grants() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Notification).where(Notification.kind == NotificationKind.ROLE_GRANTED).order_by(Notification.id)
    ).scalars())


@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_creating_an_admin_with_a_content_role_is_refused(app, factory, role):
    admin = factory.user("admin")
    for actor in (admin, None):
        with pytest.raises(ValidationFailed) as caught:
            services.create_user(actor, email=f"both-{role}@example.org", name="Båda", organisation=_org(),
                                 roles=["admin", role], password=factory.password)
        assert SEPARATE in caught.value.message and caught.value.details.get("field") == "roles"
    assert _user(f"both-{role}@example.org") is None


@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_giving_an_admin_a_content_role_or_a_content_user_admin_is_refused(app, factory, role):
    actor = factory.user("admin")
    other_admin = factory.user("admin")
    holder = factory.user(role)
    for target, roles in ((other_admin, ["admin", role]), (holder, [role, "admin"])):
        with pytest.raises(ValidationFailed) as caught:
            services.set_roles(actor, target, roles)
        assert SEPARATE in caught.value.message
        with pytest.raises(ValidationFailed):
            services.set_roles(None, target, roles)  # the shell too
    assert _user(other_admin.email).roles == {Role.ADMIN}
    assert _user(holder.email).roles == {Role(role)}


def test_an_admin_cannot_change_their_own_roles(app, factory):
    admin = factory.user("admin")
    for roles in (["admin"], ["auditor"], ["admin", "auditor"]):
        with pytest.raises(ValidationFailed) as caught:
            services.set_roles(admin, admin, roles)
        assert caught.value.message == "Du kan inte ändra dina egna roller."
    assert _user(admin.email).roles == {Role.ADMIN}


def test_the_admin_pages_refuse_and_say_why(admin_web, factory):
    html = admin_web.client.get(f"/admin/users/{admin_web.admin.id}").get_data(as_text=True)
    assert "Spara roller" not in html  # no roles form on one's own account
    other = factory.user("admin")
    response = admin_web.post(f"/admin/users/{other.id}/roles", {"roles": ["admin", "auditor"]},
                              token_from=f"/admin/users/{other.id}")
    assert response.status_code == 400 and SEPARATE in response.get_data(as_text=True)
    org = factory.organisation("Exempelstad", "employer")
    response = admin_web.post("/admin/users/new", {
        "name": "Ny", "email": "ny@example.org", "organisation": str(org.id), "roles": ["admin", "auditor"],
        "password": factory.password}, token_from="/admin/users/new")
    assert response.status_code == 400 and SEPARATE in response.get_data(as_text=True)
    assert _user("ny@example.org") is None


def test_the_cli_refuses_admin_with_a_content_role(runner):
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X", "--org", "X",
                                 "--role", "admin", "--role", "auditor", "--password-stdin"],
                           input="ett-langt-losenord\n")
    assert result.exit_code != 0 and SEPARATE in result.output
    assert _user("x@example.org") is None


def test_every_content_role_grant_notifies_every_auditor_and_admin(app, factory):
    admin = factory.user("admin", name="Adam Admin")
    other_admin = factory.user("admin")
    auditors = [factory.user("auditor"), factory.user("auditor")]
    bystander = factory.user("hr_officer")
    watchers = {admin.id, other_admin.id, *(a.id for a in auditors)}
    before = len(_grants())  # the auditors' own creation was announced too

    union = factory.user("union_rep", name="Ulla Facklig")
    after_create = _grants()[before:]
    assert {n.user_id for n in after_create} == watchers
    assert len(after_create) == len(watchers)
    assert "Ulla Facklig" in message(after_create[0].kind, after_create[0].params) and "Facklig företrädare" in message(after_create[0].kind, after_create[0].params)

    services.set_roles(admin, union, ["union_rep", "auditor"])
    granted = _grants()[before + len(watchers):]
    assert {n.user_id for n in granted} == watchers | {union.id}  # the new auditor is told as well
    assert all("Adam Admin" in message(n.kind, n.params) and "Revisor" in message(n.kind, n.params)
               and "Facklig företrädare" not in message(n.kind, n.params) for n in granted)
    assert bystander.id not in {n.user_id for n in _grants()}

    # Granting or keeping only non-content roles, or removing one, announces nothing.
    count = len(_grants())
    services.set_roles(admin, union, ["union_rep"])
    services.set_roles(admin, factory.user("admin"), ["admin"])
    factory.user("admin")
    assert len(_grants()) == count


def test_the_demo_accounts_keep_duties_separate(app):
    from tracker.auth.policy import roles_are_separated
    from tracker.demo.context import USERS

    for _email, _name, roles, _org_name in USERS:
        assert roles_are_separated({Role(r) for r in roles}), roles


@pytest.fixture
def admin_web(web, factory):
    admin = factory.user("admin", email="root@example.org")
    assert web.login(admin.email, factory.password).status_code == 302
    web.admin = admin
    return web
