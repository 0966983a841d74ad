"""Deprecated: the case page is `tracker.casepage.render_case_page`. Kept only while the procedure
views move over (they name their failed forms as today's keys: "content:<stage>", "position"…)."""
from __future__ import annotations

from typing import Any

from flask_login import current_user

from tracker.cases.models import Case


def render_case(case: Case, forms: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    """The case page with `forms` (failed forms by today's keys) in place of the blank ones."""
    from tracker.casepage import render_case_page

    failed = {f"procedure.{key}": form for key, form in (forms or {}).items()}
    return render_case_page(current_user._get_current_object(), case, failed=failed, status=status)
