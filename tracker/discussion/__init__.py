"""Comments and counter-proposals on a case's stages."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.discussion.views import bp

    app.register_blueprint(bp)
