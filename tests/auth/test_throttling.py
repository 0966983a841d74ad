"""Failed logins are throttled per account and per address; every attempt is logged."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginAttempt
from tracker.extensions import db


def _attempt(client, email, password, address="10.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def _count(model_filter) -> int:
    return db.session.execute(select(func.count()).select_from(LoginAttempt).where(model_filter)).scalar_one()


def _actions(action: str) -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)).scalar_one()


def test_sixth_failure_for_one_account_answers_429_even_from_new_addresses(client, factory):
    user = factory.user("hr_officer")
    for i in range(5):
        response = _attempt(client, user.email, "wrong-password-1", address=f"10.0.1.{i}")
        assert response.status_code == 401
    response = _attempt(client, user.email, "wrong-password-1", address="10.0.9.9")
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)
    # Even the right password is refused while throttled.
    assert _attempt(client, user.email, factory.password, address="10.0.9.8").status_code == 429
    assert _count(LoginAttempt.email == user.email) == 7
    assert _actions("auth.login_failed") == 5
    assert _actions("auth.login_throttled") == 2
    assert _actions("auth.logged_in") == 0


def test_sixth_failure_from_one_address_answers_429_for_other_accounts(client, factory):
    user = factory.user("hr_officer")
    for i in range(5):
        assert _attempt(client, f"nobody{i}@example.org", "whatever-123", address="192.0.2.7").status_code == 401
    response = _attempt(client, user.email, factory.password, address="192.0.2.7")
    assert response.status_code == 429
    # Another address still logs in.
    assert _attempt(client, user.email, factory.password, address="192.0.2.8").status_code == 302
    assert _count(LoginAttempt.address == "192.0.2.7") == 6
    assert _count(LoginAttempt.succeeded.is_(True)) == 1
    failed = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "auth.login_failed").order_by(AuditEvent.seq)
    ).scalars().all()
    assert [e.payload["email"] for e in failed] == [f"nobody{i}@example.org" for i in range(5)]


def test_failures_older_than_the_window_do_not_count(client, factory):
    from datetime import timedelta

    from tracker.timeutil import utcnow

    user = factory.user("hr_officer")
    for _ in range(5):
        _attempt(client, user.email, "wrong-password-1")
    old = utcnow() - timedelta(seconds=61)
    for attempt in db.session.execute(select(LoginAttempt)).scalars():
        attempt.occurred_at = old
    db.session.commit()
    assert _attempt(client, user.email, factory.password).status_code == 302


def test_successful_attempts_are_logged_too(client, factory):
    user = factory.user("auditor")
    assert _attempt(client, user.email, factory.password).status_code == 302
    attempt = db.session.execute(select(LoginAttempt)).scalar_one()
    assert attempt.succeeded and attempt.email == user.email and attempt.address == "10.0.0.1"
    assert _actions("auth.logged_in") == 1


def test_email_is_matched_case_insensitively(client, factory):
    user = factory.user("auditor")
    assert _attempt(client, user.email.upper(), factory.password).status_code == 302
