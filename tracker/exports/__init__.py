"""Procedure record exports: PDF, JSON (with a schema), CSV of audit events, verifiable bundles."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the CLI commands."""
    from tracker.exports.views import bp
    from tracker.exports.cli import commands

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
