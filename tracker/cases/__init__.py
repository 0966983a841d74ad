"""Cases (change projects): registration, the list, the case page's route."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI commands and the label filters."""
    from tracker.cases.cli import commands
    from tracker.cases.labels import case_status_label, change_kind_label
    from tracker.cases.views import bp
    from tracker.procedure.stages import stage_label

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    labels = {"case_status_label": case_status_label, "change_kind_label": change_kind_label,
              "stage_name": stage_label}
    app.jinja_env.filters.update(labels)
    # The case page and the document page still call these as functions, until their owners
    # switch them to the filters.
    app.jinja_env.globals.update({k: labels[k] for k in ("case_status_label", "change_kind_label", "stage_name")})
    register_case_scope(app)


def register_case_scope(app: Flask) -> None:
    """A route naming a case the user cannot see answers 404 even when a permission is missing."""
    from tracker.cases.models import Case
    from tracker.cases.policy import can_view_case
    from tracker.web.access import load_or_404, register_url_scope

    register_url_scope(app, "case_id", lambda ident: load_or_404(Case, ident, can_view_case))
