"""The procedure: stages, profiles, deadlines, gates, closing, decision, evaluation."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.procedure.views import bp

    app.register_blueprint(bp)
