"""The steering group of a case: members of both parties, with history."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.steering.views import bp

    app.register_blueprint(bp)
