"""A session cookie captured before logout, a password change or deactivation stops working."""
from __future__ import annotations

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.auth import services
from tracker.extensions import db


def _steal_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie after login"
    return cookie.value


def _restore_cookie(client, value):
    client.set_cookie("session", value)


def _assert_logged_out(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_cookie_captured_before_logout_no_longer_authenticates(web, factory):
    user = factory.user("hr_officer")
    assert web.login(user.email, factory.password).status_code == 302
    assert web.client.get("/home").status_code == 200
    stolen = _steal_cookie(web.client)

    response = web.post("/logout", token_from="/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    _restore_cookie(web.client, stolen)
    _assert_logged_out(web.client)
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert "auth.logged_in" in actions and "auth.logged_out" in actions


def test_logout_ends_every_session_of_the_user(app, factory):
    user = factory.user("hr_officer")
    from tests.conftest import Browserless

    first, second = Browserless(app.test_client()), Browserless(app.test_client())
    first.login(user.email, factory.password)
    second.login(user.email, factory.password)
    assert second.client.get("/home").status_code == 200
    first.post("/logout", token_from="/home")
    _assert_logged_out(second.client)


def test_cookie_captured_before_password_change_no_longer_authenticates(app, web, factory):
    user = factory.user("union_rep")
    web.login(user.email, factory.password)
    stolen = _steal_cookie(web.client)

    response = web.post("/account", {"current_password": factory.password, "password": "a-brand-new-passphrase"})
    assert response.status_code == 302
    # The session that changed the password carries on with the new token...
    assert web.client.get("/home").status_code == 200
    # ...but the captured cookie names the old one.
    other = app.test_client()
    other.set_cookie("session", stolen)
    _assert_logged_out(other)


def test_password_change_refuses_wrong_current_password_and_weak_new_one(web, factory):
    user = factory.user("hr_officer")
    web.login(user.email, factory.password)
    wrong = web.post("/account", {"current_password": "not-my-password", "password": "a-brand-new-passphrase"})
    assert wrong.status_code == 400
    assert "Det nuvarande lösenordet stämmer inte." in wrong.get_data(as_text=True)
    weak = web.post("/account", {"current_password": factory.password, "password": "short"})
    assert weak.status_code == 400
    html = weak.get_data(as_text=True)
    assert "minst 10 tecken" in html and 'aria-describedby="password-hint password-error"' in html
    assert web.client.get("/home").status_code == 200


def test_cookie_captured_before_deactivation_no_longer_authenticates(app, web, factory):
    user = factory.user("safety_rep")
    web.login(user.email, factory.password)
    stolen = _steal_cookie(web.client)

    services.set_active(None, db.session.get(type(user), user.id), False)
    db.session.commit()

    _restore_cookie(web.client, stolen)
    _assert_logged_out(web.client)
    # Reactivation does not bring the old session back.
    services.set_active(None, db.session.get(type(user), user.id), True)
    db.session.commit()
    _assert_logged_out(web.client)


def test_deactivated_user_cannot_log_in(web, factory):
    user = factory.user("auditor")
    services.set_active(None, user, False)
    db.session.commit()
    response = web.login(user.email, factory.password)
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_login_redirects_only_to_local_next(web, factory):
    user = factory.user("hr_officer")
    token = web.token("/login")
    response = web.client.post("/login", data={"email": user.email, "password": factory.password,
                                               "next": "https://evil.example/", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    web.post("/logout", token_from="/home")
    token = web.token("/login")
    response = web.client.post("/login", data={"email": user.email, "password": factory.password,
                                               "next": "/account", "csrf_token": token})
    assert response.headers["Location"].endswith("/account")


def test_login_with_empty_fields_is_400_with_field_errors(web):
    token = web.token("/login")
    response = web.client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ange din e-postadress." in html and 'id="email-error"' in html


def test_the_session_cookie_is_sent_only_when_the_session_changes(web, factory, monkeypatch):
    from datetime import timedelta

    from tracker.auth import session_timeout
    from tracker.timeutil import utcnow

    user = factory.user("hr_officer")
    assert web.login(user.email, factory.password).status_code == 302
    web.client.get("/home")  # the first page after the login may add its CSRF token to the session
    again = web.client.get("/home")
    static = web.client.get("/static/app.css")
    assert again.status_code == 200 and static.status_code == 200
    assert "Set-Cookie" not in again.headers and "Set-Cookie" not in static.headers
    # A minute later the last-seen time is rewritten: the cookie comes again, and still signs in.
    later = utcnow() + timedelta(seconds=session_timeout.SEEN_RESOLUTION_SECONDS + 1)
    monkeypatch.setattr(session_timeout, "utcnow", lambda: later)
    refreshed = web.client.get("/home")
    assert refreshed.status_code == 200 and "Set-Cookie" in refreshed.headers
    assert web.client.get("/home").status_code == 200
