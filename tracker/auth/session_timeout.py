"""Idle and absolute session timeouts, enforced on the server.

The session is Flask's signed cookie, so the login time and the last-seen time stored in it cannot
be forged. Before each request a session older than SESSION_MAX_HOURS, or idle for longer than
SESSION_IDLE_MINUTES, is logged out and the login page says why. The last-seen time is rewritten
at most once a minute (SEEN_RESOLUTION_SECONDS); a session is therefore refused between 0 and 60
seconds before the idle limit, never after it.
"""
from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from flask import Flask, current_app, session
from flask_login import logout_user

from tracker.i18n import gettext as _
from tracker.timeutil import utcnow

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
SIGNED_OUT_BECAUSE = "_signed_out_because"
SEEN_RESOLUTION_SECONDS = 60
_USER_KEY = "_user_id"  # where Flask-Login keeps the logged-in user


class Expiry(StrEnum):
    IDLE = "idle"
    ABSOLUTE = "absolute"


def _now() -> int:
    return int(utcnow().timestamp())


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_MAX_HOURS"])


def expiry(login_at: object, seen_at: object, now: int, idle: timedelta, absolute: timedelta) -> Expiry | None:
    """Why a session with these timestamps has ended (None: it is still valid)."""
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return Expiry.ABSOLUTE  # a session from before timeouts existed, or a tampered one
    if now - login_at > absolute.total_seconds():
        return Expiry.ABSOLUTE
    if now - seen_at > idle.total_seconds():
        return Expiry.IDLE
    return None


def start_session() -> None:
    """Stamp a new login: the cookie is permanent (it expires in the browser too)."""
    now = _now()
    session.permanent = True
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def enforce_timeouts() -> None:
    """Log out an expired session (remembering why for the login page); refresh the last-seen time."""
    if _USER_KEY not in session:
        return
    now = _now()
    idle, absolute = _limits()
    reason = expiry(session.get(LOGIN_AT), session.get(SEEN_AT), now, idle, absolute)
    if reason is not None:
        locale = session.get("locale")
        logout_user()
        session.clear()
        if locale:
            session["locale"] = locale
        session[SIGNED_OUT_BECAUSE] = str(reason)
        return
    if now - session[SEEN_AT] >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now


def pop_signed_out_message() -> str | None:
    """The login page's explanation of a timeout, shown once."""
    reason = session.pop(SIGNED_OUT_BECAUSE, None)
    idle, absolute = _limits()
    if reason == Expiry.IDLE:
        return _("Du loggades ut efter %(minutes)d minuters inaktivitet.", minutes=int(idle.total_seconds() // 60))
    if reason == Expiry.ABSOLUTE:
        return _("Du loggades ut eftersom inloggningen var äldre än %(hours)d timmar. Logga in igen.",
                 hours=int(absolute.total_seconds() // 3600))
    return None


def init_app(app: Flask) -> None:
    """Check every request's session before anything loads the user."""
    app.before_request(enforce_timeouts)
