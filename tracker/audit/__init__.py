"""The tamper-evident audit trail: one append-only, hash-chained table."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the CLI commands."""
    from tracker.audit.views import bp
    from tracker.audit.cli import commands

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
