"""The case page, composed from the features' panels (DESIGN.md §7). Views call
`render_case_page`; nothing but views imports this package.

Each feature offers `panel(user, case)` (plain data and the booleans of what the reader may do, a
fixed number of queries) and, where it has forms, `panel_forms(panel)`; `compose` gathers them into
one `CasePage` for `templates/cases/detail.html`, which only displays. The case page shows the
summary and the current stage; `stage=` gives one stage's own view.
"""
from __future__ import annotations

from typing import Any, cast

from flask import get_flashed_messages, render_template

from tracker.auth.models import User
from tracker.casepage.feedback import Feedback, feedback
from tracker.casepage.page import CasePage, compose
from tracker.cases.models import Case
from tracker.procedure.stages import Stage

__all__ = ["CasePage", "Feedback", "compose", "render_case_page"]


def render_case_page(user: User, case: Case, *, stage: Stage | str | None = None,
                     failed: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    """The case page for `user` (or, with `stage`, that stage's view); `failed` maps
    "<feature>.<form>" to a submitted form with errors, shown in place of the blank one and listed
    in the error summary, which takes the focus."""
    page = compose(user, case, stage=stage, failed=failed)
    flashes = cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
    notes = feedback(flashes, failed or {}, case_page=not page.stage_view)
    return render_template("cases/detail.html", case=case, page=page, feedback=notes,
                           error_summary=notes.summary, flashes_placed=True), status
