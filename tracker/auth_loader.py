"""Flask-Login wiring: sessions name the user's rotating session token, not the user id."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.auth.policy import can_log_in
from tracker.extensions import db, login_manager
from tracker.i18n import lazy_gettext as _l

# Every signed-in request runs it: built once (see tracker/procedure/facts.py). One statement: the
# user and their roles.
_USER_BY_TOKEN = select(User).options(joinedload(User.role_rows)).where(User.session_token == bindparam("token"))


def init_app(app: Flask) -> None:
    """The user loader, and where an anonymous visitor is sent."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        """The active user whose current session token the cookie names."""
        user = db.session.execute(_USER_BY_TOKEN, {"token": token}).unique().scalar_one_or_none()
        if user is None or not can_log_in(user):
            return None
        return user
