"""Confirmations and errors on the case page: each confirmation (a flashed message whose category
names its place, "success:deadlines") is shown beside the action that caused it, and the focus
goes to the first error summary or else to the confirmation (a tabindex=-1 target with autofocus,
so no JavaScript is needed)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The places a view of the case has for its confirmations; an unknown place falls back to "case".
CASE_PAGE_SLOTS = frozenset({"case", "stage", "discussion", "deadlines"})
STAGE_VIEW_SLOTS = frozenset({"case", "stage", "discussion"})


@dataclass(frozen=True)
class Note:
    category: str  # success / error / info (a CSS class)
    message: str


@dataclass(frozen=True)
class FieldError:
    field_id: str
    label: str
    message: str


@dataclass(frozen=True)
class Feedback:
    """The confirmations by place, the errors of a failed form, and which one takes the focus."""

    notes: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    errors: tuple[FieldError, ...] = ()
    form_errors: tuple[str, ...] = ()
    focus: str = ""  # "errors", a slot name, or "" (nothing to focus)

    def at(self, slot: str) -> tuple[Note, ...]:
        return self.notes.get(slot, ())

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.form_errors)


def _errors(failed: dict[str, Any]) -> tuple[tuple[FieldError, ...], tuple[str, ...]]:
    errors: list[FieldError] = []
    form_errors: list[str] = []
    for form in failed.values():
        form_errors.extend(str(e) for e in getattr(form, "form_errors", ()) or ())
        for f in form:
            messages = f.errors.values() if isinstance(f.errors, dict) else (f.errors or ())
            for message in messages:  # lazy strings too (validators' messages)
                errors.append(FieldError(f.id, str(f.label.text), str(message)))
    return tuple(errors), tuple(form_errors)


def feedback(flashes: Iterable[tuple[str, str]], failed: dict[str, Any], *, case_page: bool) -> Feedback:
    """Place the flashed messages and gather the errors of the failed forms."""
    slots = CASE_PAGE_SLOTS if case_page else STAGE_VIEW_SLOTS
    notes: dict[str, list[Note]] = {}
    order: list[str] = []
    for category, message in flashes:
        kind, _, slot = category.partition(":")
        slot = slot if slot in slots else "case"
        notes.setdefault(slot, []).append(Note(kind or "info", message))
        order.append(slot)
    errors, form_errors = _errors(failed)
    focus = "errors" if errors or form_errors else (order[0] if order else "")
    return Feedback(notes={k: tuple(v) for k, v in notes.items()}, errors=errors, form_errors=form_errors,
                    focus=focus)
