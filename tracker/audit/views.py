"""The audit pages: per case (members, responsible HR, auditors) and global (auditors)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.audit import policy, queries
from tracker.audit.cosigners import head_cosigners, trusted_time
from tracker.audit.forms import AuditFilterForm, verify_form
from tracker.audit.labels import kind_text
from tracker.audit.verify import store_result, verify_chain
from tracker.cases.models import Case
from tracker.i18n import gettext as _
from tracker.web.access import Permission, authenticated, current_actor, load_or_404, requires
from tracker.web.redirects import safe_next

bp = Blueprint("audit", __name__)

FILTER_ARGS = ("actor", "action", "date_from", "date_to")


def _render_trail(template: str, *, case: Case | None) -> tuple[str, int]:
    user = current_actor()
    form = AuditFilterForm(request.args)
    page = None
    if form.validate():
        filters = queries.AuditFilters(
            actor=form.actor.data or "", action=(form.action.data or "").strip(),
            date_from=form.date_from.data, date_to=form.date_to.data,
            case_id=case.id if case is not None else None)
        page = queries.event_page(filters, before=form.before.data, after=form.after.data)
    endpoint_args: dict[str, Any] = {"case_id": case.id} if case is not None else {}
    filter_args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    auditor = policy.can_see_client_addresses(user)  # auditors: addresses, codes and raw payloads
    html = render_template(
        template, form=form, page=page, case=case, filter_args={**endpoint_args, **filter_args},
        lines=queries.event_lines(page.events) if page is not None else [],
        badge=queries.verification_badge(), cosigners=head_cosigners(), trusted_time=trusted_time(),
        show_address=auditor, show_raw=auditor,
        verify_form=verify_form(blank=True) if policy.can_verify(user) else None,
    )
    return html, 200 if page is not None else 400


@bp.get("/audit")
@requires(Permission.AUDIT_VIEW_ALL)
def index() -> tuple[str, int]:
    return _render_trail("audit/index.html", case=None)


@bp.get("/cases/<int:case_id>/audit")
@authenticated
def case_trail(case_id: int) -> tuple[str, int]:
    case = load_or_404(Case, case_id, policy.can_view_case_trail)
    return _render_trail("audit/case.html", case=case)


@bp.post("/audit/verify")
@requires(Permission.AUDIT_VIEW_ALL)
def verify_now() -> Response:
    form = verify_form()
    if not form.validate_on_submit():
        abort(400)
    target = safe_next(request.form.get("next")) or url_for("audit.index")
    result = verify_chain()
    store_result(result, source="web", actor=current_actor())
    if result.ok:
        flash(_("Granskningsloggen är intakt: %(n)d händelser kontrollerade.", n=result.events_checked), "success")
    else:
        flash(_("Granskningsloggen har manipulerats: %(kind)s vid händelse %(seq)d.",
                kind=kind_text(result.kind), seq=result.first_bad_seq or 0), "error")
    return redirect(target)
