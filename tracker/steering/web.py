"""View helpers shared by the steering, discussion and risk blueprints."""
from __future__ import annotations

from flask import url_for
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError

from tracker.cases.models import Case
from tracker.errors import ValidationFailed


def field_error(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's ValidationFailed to the named field (or to the form as a whole)."""
    name = error.details.get("field")
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors or []) + [error.message]
    else:
        form.form_errors.append(error.message)


def case_url(case: Case) -> str:
    """The case page (PROCEDURE's), or the steering page when there is none."""
    try:
        return url_for("cases.detail", case_id=case.id)
    except BuildError:
        return url_for("steering.members", case_id=case.id)
