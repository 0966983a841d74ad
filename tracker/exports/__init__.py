"""Procedure record exports: PDF, JSON (with a schema), CSV of audit events, verifiable bundles."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI commands and the label filters."""
    from tracker.exports.cli import commands
    from tracker.exports.labels import case_status_label
    from tracker.exports.views import bp

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    app.jinja_env.filters["export_status_label"] = case_status_label
