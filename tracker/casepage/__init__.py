"""The case page, composed from the features' panels (DESIGN.md §7). Views call
`render_case_page`; nothing but views imports this package.

Each feature offers `panel(user, case)` (plain data and the booleans of what the reader may do, a
fixed number of queries) and, where it has forms, `panel_forms(panel)`; `compose` gathers them into
one `CasePage` for `templates/cases/detail.html`, which only displays.
"""
from __future__ import annotations

from typing import Any

from flask import render_template

from tracker.auth.models import User
from tracker.casepage.page import CasePage, compose
from tracker.cases.models import Case

__all__ = ["CasePage", "compose", "render_case_page"]


def render_case_page(user: User, case: Case, *, failed: dict[str, Any] | None = None,
                     status: int = 200) -> tuple[str, int]:
    """The case page for `user`; `failed` maps "<feature>.<form>" to a submitted form with errors,
    shown in place of the blank one."""
    page = compose(user, case, failed=failed)
    return render_template("cases/detail.html", case=case, page=page), status
