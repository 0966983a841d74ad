"""Notifications in the app and by e-mail."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user


def init_app(app: Flask) -> None:
    """The blueprint, `flask notify`, the signal receivers, mail after commit, the header's count."""
    from tracker.notifications import receivers, services
    from tracker.notifications.cli import commands
    from tracker.notifications.views import bp

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    receivers.connect()
    services.install_mail_hooks()

    @app.context_processor
    def unread_notifications() -> dict[str, Any]:
        if not (current_user and current_user.is_authenticated):
            return {}
        return {"unread_notifications": services.unread_count(current_user)}
