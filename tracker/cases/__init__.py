"""Cases (change projects): registration, the list, the case page's route."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the CLI commands."""
    from tracker.cases.views import bp
    from tracker.cases.cli import commands

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
