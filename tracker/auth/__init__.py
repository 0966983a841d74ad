"""Accounts, organisations, roles, login and the user's own account."""
from __future__ import annotations

from flask import Flask

from tracker.i18n import locale_for

__all__ = ["init_app", "locale_for"]


def init_app(app: Flask) -> None:
    """The blueprint, `flask users`, session timeouts, and the role and organisation labels for templates."""
    from tracker.auth import session_timeout
    from tracker.auth.cli import commands
    from tracker.auth.labels import organisation_kind_label, role_label, role_labels
    from tracker.auth.views import bp

    app.register_blueprint(bp)
    session_timeout.init_app(app)
    for command in commands:
        app.cli.add_command(command)
    labels = {"role_label": role_label, "role_labels": role_labels, "organisation_kind_label": organisation_kind_label}
    # Label lookups only (no queries): as filters, and as globals for the templates that call them.
    app.jinja_env.filters.update(labels)
    app.jinja_env.globals.update(labels)
