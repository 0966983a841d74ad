"""The start page of each role."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.home.views import bp

    app.register_blueprint(bp)
