"""The case page, composed from the features' panels (DESIGN.md §7). Views call
`render_case_page`; nothing else imports this package.

Each feature offers `panel(user, case)` (plain data, a fixed number of queries) and, where it has
forms, `panel_forms(panel)`; this package gathers them into one `CasePage` for
`templates/cases/detail.html`, which only displays.
"""
from __future__ import annotations

from typing import Any

from tracker.auth.models import User
from tracker.cases.models import Case


def render_case_page(user: User, case: Case, *, failed: dict[str, Any] | None = None,
                     status: int = 200) -> tuple[str, int]:
    """The case page for `user`; `failed` maps "<feature>.<form>" to a submitted form with errors,
    shown in place of the blank one."""
    from tracker.cases.page import render_case

    forms = {key.split(".", 1)[1]: form for key, form in (failed or {}).items()}
    html, _status = render_case(case, forms)
    return html, status
