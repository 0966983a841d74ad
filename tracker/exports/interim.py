"""TEMPORARY: the case page's `page.exports`/`page.audit` for today's templates/cases/detail.html,
which does not pass `page` yet. Deleted as soon as tracker/casepage composes the page."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from tracker.audit import forms as audit_forms
from tracker.audit import queries as audit_queries
from tracker.cases.models import Case
from tracker.exports import forms, queries
from tracker.web.access import current_actor


def _interim_page(case: Case) -> SimpleNamespace:
    user = current_actor()
    exports = queries.panel(user, case)
    audit = audit_queries.panel(user, case)
    return SimpleNamespace(exports=exports, audit=audit, forms=SimpleNamespace(
        exports=forms.panel_forms(exports), audit=audit_forms.panel_forms(audit)))


def init_app(app: Flask) -> None:
    """Offer the interim page builder to the two case-page partials."""
    app.jinja_env.globals["interim_case_page"] = _interim_page
