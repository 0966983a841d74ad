"""The start page: each role sees its own heading and links; anonymous users go to the login page."""
from __future__ import annotations

import pytest

HEADINGS = {
    "hr_officer": "Dina ärenden som HR-handläggare",
    "decision_maker": "Beslut",
    "union_rep": "Ärenden där du företräder personalen",
    "safety_rep": "Ärenden där du företräder personalen",
    "auditor": "Granskning",
    "admin": "Administration",
}


def test_root_sends_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    home = client.get("/home")
    assert home.status_code == 302 and "/login?next=" in home.headers["Location"]


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_home_page_per_role(web, factory, role):
    user = factory.user(role)
    web.login(user.email, factory.password)
    assert web.client.get("/").headers["Location"].endswith("/home")
    html = web.client.get("/home").get_data(as_text=True)
    assert f'<h2 id="role-heading">{HEADINGS[role]}</h2>' in html
    assert f'data-role="{role}"' in html
    assert ('href="/admin/users"' in html) == (role == "admin")


def test_user_with_several_roles_sees_each_section(web, factory):
    user = factory.user(["hr_officer", "auditor"])
    web.login(user.email, factory.password)
    html = web.client.get("/home").get_data(as_text=True)
    assert "HR-handläggare, Revisor" in html
    assert HEADINGS["hr_officer"] in html and HEADINGS["auditor"] in html


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
