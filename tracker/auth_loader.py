"""Flask-Login wiring: sessions name the user's rotating session token, not the user id."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.extensions import db, login_manager
from tracker.templating import header_columns, remember_header_values


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # One statement per request: the user, their roles, and the values every page's header
        # shows (templating.header_columns: e.g. the unread notifications).
        statement, names = _statement(app)
        row = db.session.execute(statement, {"token": token}).unique().first()
        if row is None or not row[0].active:
            return None
        remember_header_values(dict(zip(names, row[1:])))
        return row[0]


def _statement(app: Flask):
    # Built once per app: composing it costs about as much as running it.
    cached = app.extensions.get("user_loader_statement")
    if cached is None:
        columns = header_columns()
        statement = (select(User, *columns.values()).options(joinedload(User.role_rows))
                     .where(User.session_token == bindparam("token")))
        cached = app.extensions["user_loader_statement"] = (statement, tuple(columns))
    return cached
