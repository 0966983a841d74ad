"""Meetings of a case, their .ics files, and minutes with versions and approvals."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.meetings.views import bp

    app.register_blueprint(bp)
