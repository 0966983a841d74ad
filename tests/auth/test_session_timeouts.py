"""Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login,
enforced on the server (a frozen, shifted clock); the login page says why."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.auth import session_timeout
from tracker.timeutil import utcnow

IDLE_MESSAGE = "Du loggades ut efter 30 minuters inaktivitet."
ABSOLUTE_MESSAGE = "Du loggades ut eftersom inloggningen var äldre än 12 timmar. Logga in igen."


class Clock:
    """The time source of the session check, moved by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(session_timeout, "utcnow", frozen)
    return frozen


@pytest.fixture
def signed_in(web, factory, clock):
    user = factory.user("hr_officer")
    assert web.login(user.email, factory.password).status_code == 302
    assert web.client.get("/home").status_code == 200
    return web


def _is_signed_out(web) -> bool:
    response = web.client.get("/home")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_idle_session_ends_after_30_minutes_and_the_login_page_says_why(signed_in, clock):
    clock.advance(minutes=30)
    assert signed_in.client.get("/home").status_code == 200  # exactly the limit: still fine
    clock.advance(minutes=30, seconds=1)
    assert _is_signed_out(signed_in)
    html = signed_in.client.get("/login").get_data(as_text=True)
    assert IDLE_MESSAGE in html
    assert IDLE_MESSAGE not in signed_in.client.get("/login").get_data(as_text=True)  # said once
    assert _is_signed_out(signed_in)  # and it stays signed out when the clock is back


def test_activity_keeps_a_session_alive_until_the_absolute_limit(signed_in, clock):
    for _ in range(23):  # a request every 29 minutes for 11 h 7 min
        clock.advance(minutes=29)
        assert signed_in.client.get("/home").status_code == 200
    clock.advance(minutes=29)
    assert signed_in.client.get("/home").status_code == 200
    clock.advance(minutes=24)  # exactly 12 h since the login
    assert signed_in.client.get("/home").status_code == 200
    clock.advance(seconds=1)
    assert _is_signed_out(signed_in)
    assert ABSOLUTE_MESSAGE in signed_in.client.get("/login").get_data(as_text=True)


def test_last_seen_is_rewritten_at_most_once_a_minute(signed_in, clock):
    with signed_in.client.session_transaction() as session:
        first = session[session_timeout.SEEN_AT]
    clock.advance(seconds=59)
    signed_in.client.get("/home")
    with signed_in.client.session_transaction() as session:
        assert session[session_timeout.SEEN_AT] == first
    clock.advance(seconds=1)
    signed_in.client.get("/home")
    with signed_in.client.session_transaction() as session:
        assert session[session_timeout.SEEN_AT] == first + 60
        assert session[session_timeout.LOGIN_AT] == first
        assert session.permanent


def test_a_session_without_timestamps_is_refused(signed_in):
    with signed_in.client.session_transaction() as session:
        del session[session_timeout.LOGIN_AT]
    assert _is_signed_out(signed_in)


@pytest.mark.parametrize("app", [{"SESSION_IDLE_MINUTES": 5, "SESSION_MAX_HOURS": 1}], indirect=True)
def test_the_limits_are_settings(signed_in, clock):
    clock.advance(minutes=5, seconds=1)
    assert _is_signed_out(signed_in)
    assert "Du loggades ut efter 5 minuters inaktivitet." in signed_in.client.get("/login").get_data(as_text=True)


def test_the_english_login_page_says_why_too(web, factory, clock):
    user = factory.user("hr_officer")
    with web.client.session_transaction() as session:
        session["locale"] = "en"
    assert web.login(user.email, factory.password).status_code == 302
    clock.advance(minutes=31)
    assert _is_signed_out(web)
    assert "You were signed out after 30 minutes of inactivity." in web.client.get("/login").get_data(as_text=True)


def test_expiry_rules():
    idle, absolute = timedelta(minutes=30), timedelta(hours=12)
    assert session_timeout.expiry(0, 0, 1800, idle, absolute) is None
    assert session_timeout.expiry(0, 0, 1801, idle, absolute) == session_timeout.Expiry.IDLE
    assert session_timeout.expiry(0, 43_000, 43_201, idle, absolute) == session_timeout.Expiry.ABSOLUTE
    assert session_timeout.expiry(None, 0, 1, idle, absolute) == session_timeout.Expiry.ABSOLUTE
    assert session_timeout.expiry("0", 0, 1, idle, absolute) == session_timeout.Expiry.ABSOLUTE
