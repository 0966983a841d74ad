"""User and organisation administration (no access to case content)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.admin.views import bp

    app.register_blueprint(bp)
