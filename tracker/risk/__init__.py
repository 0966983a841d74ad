"""The risk assessment of a case, co-signed by a safety representative."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint (its page uses the discussion's comment_markdown filter)."""
    from tracker.risk.views import bp

    app.register_blueprint(bp)
