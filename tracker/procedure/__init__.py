"""The procedure: stages, profiles, deadlines, gates, closing, decision, evaluation."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the label filters (`{{ code|stage_label }}`, no queries)."""
    from tracker.procedure.labels import deadline_label, end_mode_label, stage_label, status_label
    from tracker.procedure.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(stage_label, "stage_label")
    app.add_template_filter(status_label, "stage_status_label")
    app.add_template_filter(end_mode_label, "end_mode_label")
    app.add_template_filter(deadline_label, "deadline_label")
