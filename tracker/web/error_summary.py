"""The one error summary of a page (Digg's and GOV.UK's pattern): when a view renders a form that
failed, the page opens with a list of the problems, each linked to its field, and takes the focus;
the title starts with "Fel:". Views pass their forms as usual; this collects the failed ones from
the template's context just before it renders, so no view or template repeats the gathering.

A view that knows its failed forms better passes `error_summary` itself (the case page: its
forms live in the features' panels) and is left alone."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, is_dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from flask import Flask, before_render_template
from jinja2 import Template
from wtforms import Form


@dataclass(frozen=True)
class FieldProblem:
    """One field's errors, linked from the summary to the field (`field_id` is its HTML id)."""
    field_id: str
    label: str
    message: str


@dataclass(frozen=True)
class ErrorSummary:
    """The problems of the failed forms on a page: errors of a whole form, then field errors."""
    form_errors: tuple[str, ...]
    fields: tuple[FieldProblem, ...]


def _field_problems(form: Form) -> Iterator[FieldProblem]:
    for f in form:
        if f.type in ("CSRFTokenField", "HiddenField"):
            continue
        errors = f.errors.values() if isinstance(f.errors, dict) else f.errors
        messages = [str(m) for m in errors or () if not isinstance(m, (list, tuple))]
        if messages:
            yield FieldProblem(f.id, str(f.label.text), " ".join(messages))


def _hidden_problems(form: Form) -> Iterator[str]:
    """Errors on hidden fields (a stale CSRF token, a tampered id) have no field to link to."""
    for f in form:
        if f.type in ("CSRFTokenField", "HiddenField") and f.errors:
            yield from (str(m) for m in f.errors)


def summarise(forms: Iterable[Form]) -> ErrorSummary | None:
    """The summary of `forms` that failed validation, or None when none did."""
    form_errors: list[str] = []
    problems: list[FieldProblem] = []
    for form in forms:
        if not form.errors:
            continue
        form_errors.extend(str(e) for e in form.form_errors)
        form_errors.extend(_hidden_problems(form))
        problems.extend(_field_problems(form))
    if not form_errors and not problems:
        return None
    return ErrorSummary(tuple(dict.fromkeys(form_errors)), tuple(problems))


def forms_in(context: Mapping[str, Any]) -> Iterator[Form]:
    """The forms a view handed to its template: top-level values and the values of a mapping or
    dataclass one level down (a page's `forms.create`, `forms.cosign`)."""
    for value in context.values():
        if isinstance(value, Form):
            yield value
        elif isinstance(value, Mapping):
            yield from (v for v in value.values() if isinstance(v, Form))
        elif is_dataclass(value) and not isinstance(value, type):
            members = (getattr(value, f.name) for f in dataclass_fields(value))
            yield from (v for v in members if isinstance(v, Form))


def _add_summary(app: Flask, template: Template, context: dict[str, Any], **_: Any) -> None:
    if "error_summary" in context:
        return
    context["error_summary"] = summarise(forms_in(context))


def init_app(app: Flask) -> None:
    before_render_template.connect(_add_summary, app)
