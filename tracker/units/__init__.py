"""The employer's register of organisational units (enheter): the list a case's affected units are
chosen from, kept by the administrators."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.units.views import bp

    app.register_blueprint(bp)
