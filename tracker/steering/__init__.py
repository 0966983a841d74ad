"""The steering group of a case: members of both parties, with history."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the label filters."""
    from tracker.steering.labels import member_role_label, party_label
    from tracker.steering.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(party_label, "party_label")
    app.add_template_filter(member_role_label, "member_role_label")
