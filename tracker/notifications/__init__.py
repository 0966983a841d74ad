"""Notifications in the app and by e-mail."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user


def init_app(app: Flask) -> None:
    """The blueprint, `flask notify`, the signal receivers and the header's unread count.

    Mail needs no listener of its own: each notification's mail is queued with
    `tracker.unit_of_work.after_commit` (see `mail.py`)."""
    from tracker.notifications import own_tasks, queries, receivers
    from tracker.notifications.cli import commands
    from tracker.notifications.views import bp
    from tracker.web.transaction import request_succeeding

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    receivers.connect()
    request_succeeding.connect(own_tasks.after_write, app)

    @app.context_processor
    def unread_notifications() -> dict[str, Any]:
        if not (current_user and current_user.is_authenticated):
            return {}
        return {"unread_notifications": queries.unread_count(current_user)}
