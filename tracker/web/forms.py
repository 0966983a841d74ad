"""What every form shares: the CSRF-only form for button-only actions, and the one way a domain
error from a service lands on a form."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.errors import DomainError, GateClosed


class CsrfForm(FlaskForm):
    """A form with no fields but its CSRF token: buttons that act (complete, archive, mark read)."""


class CheckboxListField(SelectMultipleField):
    """A choice of several as a list of checkboxes (the `checkboxes` macro puts it in a fieldset)."""
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3). A lazy label
    stays lazy, so it renders in the reader's language."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def apply_domain_error(form: Form, error: DomainError) -> None:
    """Put a service's refusal on the form: each named field's message beside that field
    (`details["errors"]` maps field -> message, `details["field"]` names one), the rest above the
    form, and every reason of a closed gate too."""
    errors: dict[str, str] = dict(error.details.get("errors") or {})
    field = error.details.get("field")
    if field and field not in errors:
        errors[field] = error.message
    placed = False
    for name, message in errors.items():
        target = form._fields.get(name)
        if target is not None:
            target.errors = [*(target.errors or []), message]
            placed = True
    if not placed and error.message:
        form.form_errors.append(error.message)
    if isinstance(error, GateClosed):
        form.form_errors.extend(reason for reason in error.reasons if reason not in form.form_errors)
