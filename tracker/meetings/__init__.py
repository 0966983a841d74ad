"""Meetings of a case, their .ics files, and minutes with versions and approvals."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the label filters (party_label is the steering feature's)."""
    from tracker.meetings.labels import minutes_status_label, signatory_state_label, signature_decision_label
    from tracker.meetings.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(minutes_status_label, "minutes_status_label")
    app.add_template_filter(signature_decision_label, "signature_decision_label")
    app.add_template_filter(signatory_state_label, "signatory_state_label")
    from tracker.meetings.views import _load, _load_version
    from tracker.web.access import register_url_scope

    register_url_scope(app, "meeting_id", _load)
    register_url_scope(app, "version_id", _load_version)
