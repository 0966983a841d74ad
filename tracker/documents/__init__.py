"""Confidential documents: versions, classes, encryption at rest, audited reads."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the CLI commands."""
    from tracker.documents.views import bp
    from tracker.documents.cli import commands

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
