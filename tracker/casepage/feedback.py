"""Confirmations and errors on the case page: each confirmation (a flashed message whose category
names its place, "success:deadlines") is shown beside the action that caused it, and the focus
goes to the error summary (the one every form page has, tracker/web/error_summary.py) or else to
the confirmation (a tabindex=-1 target with autofocus, so no JavaScript is needed)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.web.error_summary import ErrorSummary, summarise

# The places a view of the case has for its confirmations; an unknown place falls back to "case".
CASE_PAGE_SLOTS = frozenset({"case", "stage", "discussion", "deadlines"})
STAGE_VIEW_SLOTS = frozenset({"case", "stage", "discussion"})


@dataclass(frozen=True)
class Note:
    category: str  # success / error / info (a CSS class)
    message: str


@dataclass(frozen=True)
class Feedback:
    """The confirmations by place, the errors of the failed forms, and which one takes the focus."""

    notes: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    summary: ErrorSummary | None = None
    focus: str = ""  # "errors", a slot name, or "" (nothing to focus)

    def at(self, slot: str) -> tuple[Note, ...]:
        return self.notes.get(slot, ())

    @property
    def has_errors(self) -> bool:
        return self.summary is not None


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
    summary = summarise(failed.values())
    focus = "errors" if summary is not None else (order[0] if order else "")
    return Feedback(notes={k: tuple(v) for k, v in notes.items()}, summary=summary, focus=focus)
