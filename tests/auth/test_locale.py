"""Swedish by default, English on request; a logged-in user's choice persists on the account."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import Browserless
from tracker.audit.models import AuditEvent
from tracker.auth.labels import role_label
from tracker.extensions import db


def test_swedish_by_default_and_english_after_switching(web):
    assert "Logga in" in web.client.get("/login").get_data(as_text=True)
    response = web.post("/language", {"locale": "en", "next": "/login"}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    html = web.client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html and "E-mail address" in html


def test_language_choice_persists_for_the_user_across_sessions(app, web, factory):
    user = factory.user("union_rep")
    web.login(user.email, factory.password)
    web.post("/language", {"locale": "en", "next": "/home"}, token_from="/home")
    assert "Welcome" in web.client.get("/home").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.language_changed")).scalar_one()
    assert event.payload == {"locale": "en"}

    # A new browser: Swedish until this user logs in, then English.
    fresh = Browserless(app.test_client())
    assert "Logga in" in fresh.client.get("/login").get_data(as_text=True)
    fresh.login(user.email, factory.password)
    html = fresh.client.get("/home").get_data(as_text=True)
    assert 'lang="en"' in html and "Welcome" in html and "Union representative" in html


def test_unknown_language_is_refused(web):
    response = web.post("/language", {"locale": "xx", "next": "/login"}, token_from="/login")
    assert response.status_code == 302
    html = web.client.get("/login").get_data(as_text=True)
    assert 'lang="sv"' in html and "Språket kunde inte ändras." in html


def test_language_switch_refuses_foreign_next(web):
    response = web.post("/language", {"locale": "en", "next": "https://evil.example/"}, token_from="/login")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_role_labels_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context():
        assert role_label("hr_officer") == "HR-handläggare"
        assert role_label("decision_maker") == "Beslutsfattare"
        assert role_label("union_rep") == "Facklig företrädare"
        assert role_label("safety_rep") == "Skyddsombud"
        assert role_label("auditor") == "Revisor"
        assert role_label("admin") == "Administratör"
        assert role_label("no_such_role") == "no_such_role"
        with force_locale("en"):
            assert role_label("hr_officer") == "HR officer"
            assert role_label("admin") == "Administrator"


def test_account_page_shows_translated_roles(web, factory):
    user = factory.user(["hr_officer", "auditor"])
    web.login(user.email, factory.password)
    assert "HR-handläggare, Revisor" in web.client.get("/account").get_data(as_text=True)
    web.post("/language", {"locale": "en", "next": "/account"}, token_from="/account")
    assert "HR officer, Auditor" in web.client.get("/account").get_data(as_text=True)
