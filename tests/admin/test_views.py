"""User administration over HTTP: access, create, roles, activation, password reset."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Browserless
from tracker.audit.models import AuditEvent
from tracker.auth.models import Organisation, User
from tracker.extensions import db


@pytest.fixture
def admin_web(web, factory):
    admin = factory.user("admin", email="root@example.org")
    assert web.login(admin.email, factory.password).status_code == 302
    web.admin = admin
    return web


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _actions() -> list[str]:
    return db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()


@pytest.mark.parametrize("role", ["hr_officer", "decision_maker", "union_rep", "safety_rep", "auditor"])
def test_only_admins_reach_the_admin_pages(web, factory, role):
    user = factory.user(role)
    web.login(user.email, factory.password)
    assert web.client.get("/admin/users").status_code == 403
    assert web.client.get("/admin/users/new").status_code == 403
    assert web.post("/admin/users/new", {"name": "X"}).status_code == 403
    assert web.post(f"/admin/users/{user.id}/deactivate").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_users_with_translated_roles_and_status(admin_web, factory):
    factory.user("union_rep", name="Ulla Facklig")
    html = admin_web.client.get("/admin/users").get_data(as_text=True)
    assert "Ulla Facklig" in html and "Facklig företrädare" in html and "Administratör" in html
    assert '<th scope="col">' in html and "Aktiv" in html


def test_create_user_in_existing_organisation(admin_web, factory):
    org = factory.organisation("Kommunal", "union")
    response = admin_web.post("/admin/users/new", {
        "name": "Nina Ny", "email": "Nina@Example.org", "organisation": str(org.id),
        "roles": ["union_rep", "safety_rep"], "password": "en-lang-fras-att-minnas"}, token_from="/admin/users/new")
    assert response.status_code == 302
    user = _user("nina@example.org")
    assert user is not None and user.organisation.name == "Kommunal"
    assert {str(r) for r in user.roles} == {"union_rep", "safety_rep"}
    assert "user.created" in _actions()
    # The new user can log in.
    other = Browserless(admin_web.client.application.test_client())
    assert other.login("nina@example.org", "en-lang-fras-att-minnas").status_code == 302


def test_create_user_with_new_organisation(admin_web):
    response = admin_web.post("/admin/users/new", {
        "name": "Jussi", "email": "jussi@example.org", "organisation": "new", "new_organisation": "JHL",
        "organisation_kind": "union", "roles": ["union_rep"], "password": "en-lang-fras-att-minnas"},
        token_from="/admin/users/new")
    assert response.status_code == 302
    org = db.session.execute(select(Organisation).where(Organisation.name == "JHL")).scalar_one()
    assert org.kind == "union"
    assert _actions()[-2:] == ["organisation.created", "user.created"]


@pytest.mark.parametrize("data, field, message", [
    ({"password": "kort"}, "password", "minst 10 tecken"),
    ({"password": "password123"}, "password", "för vanligt"),
    ({"roles": []}, "roles", "Välj minst en roll."),
    ({"email": "root@example.org"}, "email", "Det finns redan en användare med den e-postadressen."),
    ({"email": "not-an-address"}, "email", "Ange en giltig e-postadress."),
    ({"organisation": "new", "new_organisation": ""}, "new_organisation", "Ange den nya organisationens namn."),
    ({"organisation": ""}, "organisation", "Välj en organisation."),
    ({"name": ""}, "name", "Ange ett namn."),
])
def test_create_user_bad_input_is_400_tied_to_field_and_keeps_input(admin_web, factory, data, field, message):
    org = factory.organisation("Exempelstad")
    form = {"name": "Kalle Kvar", "email": "kalle@example.org", "organisation": str(org.id),
            "roles": ["hr_officer"], "password": "en-lang-fras-att-minnas"}
    form.update(data)
    before = len(_actions())
    response = admin_web.post("/admin/users/new", form, token_from="/admin/users/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html
    if data.get("name") != "":
        assert 'value="Kalle Kvar"' in html
    assert len(_actions()) == before
    assert _user("kalle@example.org") is None


def test_set_roles(admin_web, factory):
    user = factory.user("union_rep")
    response = admin_web.post(f"/admin/users/{user.id}/roles", {"roles": ["safety_rep", "union_rep"]},
                              token_from=f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert {str(r) for r in _user(user.email).roles} == {"union_rep", "safety_rep"}
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.roles_changed")).scalar_one()
    assert event.payload == {"before": ["union_rep"], "after": ["union_rep", "safety_rep"]}


def test_set_roles_bad_input(admin_web, factory):
    user = factory.user("union_rep")
    empty = admin_web.post(f"/admin/users/{user.id}/roles", {"roles": []}, token_from=f"/admin/users/{user.id}")
    assert empty.status_code == 400 and "Välj minst en roll." in empty.get_data(as_text=True)
    unknown = admin_web.post(f"/admin/users/{user.id}/roles", {"roles": ["emperor"]},
                             token_from=f"/admin/users/{user.id}")
    assert unknown.status_code == 400
    own = admin_web.post(f"/admin/users/{admin_web.admin.id}/roles", {"roles": ["auditor"]},
                         token_from="/admin/users")
    assert own.status_code == 400 and "Du kan inte ändra dina egna roller." in own.get_data(as_text=True)
    assert {str(r) for r in _user(user.email).roles} == {"union_rep"}
    assert admin_web.client.get("/admin/users/999999").status_code == 404


def test_deactivate_and_activate(admin_web, factory, app):
    user = factory.user("hr_officer")
    theirs = Browserless(app.test_client())
    theirs.login(user.email, factory.password)
    assert theirs.client.get("/home").status_code == 200

    response = admin_web.post(f"/admin/users/{user.id}/deactivate", token_from=f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert _user(user.email).active is False
    assert theirs.client.get("/home").status_code == 302  # their session has ended
    assert theirs.login(user.email, factory.password).status_code == 401

    response = admin_web.post(f"/admin/users/{user.id}/activate", token_from=f"/admin/users/{user.id}")
    assert response.status_code == 302 and _user(user.email).active is True
    assert theirs.login(user.email, factory.password).status_code == 302
    assert {"user.deactivated", "user.activated"} <= set(_actions())


def test_admin_cannot_deactivate_self(admin_web):
    response = admin_web.post(f"/admin/users/{admin_web.admin.id}/deactivate", token_from="/admin/users")
    assert response.status_code == 400
    assert "Du kan inte inaktivera dig själv." in response.get_data(as_text=True)
    assert _user("root@example.org").active is True


def test_reset_password_ends_sessions(admin_web, factory, app):
    user = factory.user("auditor")
    theirs = Browserless(app.test_client())
    theirs.login(user.email, factory.password)
    weak = admin_web.post(f"/admin/users/{user.id}/password", {"password": "12345"},
                          token_from=f"/admin/users/{user.id}")
    assert weak.status_code == 400 and 'id="password-error"' in weak.get_data(as_text=True)
    assert theirs.client.get("/home").status_code == 200

    ok = admin_web.post(f"/admin/users/{user.id}/password", {"password": "ett-nytt-bra-losen"},
                        token_from=f"/admin/users/{user.id}")
    assert ok.status_code == 302
    assert theirs.client.get("/home").status_code == 302
    assert theirs.login(user.email, factory.password).status_code == 401
    assert theirs.login(user.email, "ett-nytt-bra-losen").status_code == 302
    assert "user.password_reset" in _actions()


def test_admin_home_has_no_case_dashboard(admin_web):
    html = admin_web.client.get("/home").get_data(as_text=True)
    assert "Administratör" in html and "ingen åtkomst till ärendenas innehåll" in html
    assert 'href="/admin/users"' in html


def test_organisations_list_and_create(admin_web, factory):
    factory.user("union_rep")  # in Kommunal
    page = admin_web.client.get("/admin/organisations").get_data(as_text=True)
    assert "Kommunal" in page and "Fackförbund" in page
    response = admin_web.post("/admin/organisations", {"name": "Vision", "kind": "union"},
                              token_from="/admin/organisations")
    assert response.status_code == 302
    org = db.session.execute(select(Organisation).where(Organisation.name == "Vision")).scalar_one()
    assert org.kind == "union"
    assert _actions()[-1] == "organisation.created"


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "kind": "union"}, "name", "Ange organisationens namn."),
    ({"name": "Kommunal", "kind": "union"}, "name", "Det finns redan en organisation med det namnet."),
    ({"name": "Ny", "kind": "guild"}, "kind", ""),
])
def test_organisation_bad_input(admin_web, factory, data, field, message):
    factory.organisation("Kommunal", "union")
    before = len(_actions())
    response = admin_web.post("/admin/organisations", data, token_from="/admin/organisations")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert len(_actions()) == before


def test_organisations_page_is_admin_only(web, factory):
    user = factory.user("auditor")
    web.login(user.email, factory.password)
    assert web.client.get("/admin/organisations").status_code == 403
