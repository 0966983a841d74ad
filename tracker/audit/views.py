"""The audit pages: per case (members, responsible HR, auditors) and global (auditors)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.access import Permission, authenticated, has_permission, requires
from tracker.audit import queries
from tracker.audit.forms import AuditFilterForm, VerifyNowForm
from tracker.audit.models import AuditVerification
from tracker.audit.verify import latest_verification, store_result, verify_chain
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.extensions import db

bp = Blueprint("audit", __name__)

KIND_TEXT = {
    "modified": _l("ändrad händelse"),
    "inserted": _l("infogad händelse"),
    "deleted": _l("raderad händelse"),
    "reordered": _l("omkastade händelser"),
    "truncated": _l("kedjan avkortad efter en kontrollpunkt"),
    "bad_signature": _l("ogiltig signatur på en kontrollpunkt"),
    "rewritten": _l("kedjan omräknad (kontrollpunkten stämmer inte)"),
}


def kind_text(kind: str | None) -> str:
    return str(KIND_TEXT.get(kind or "", kind or ""))


@bp.app_template_global()
def audit_badge() -> AuditVerification | None:
    """The latest verification run, for the badge (one query)."""
    return latest_verification()


@bp.app_template_global()
def audit_kind_text(kind: str | None) -> str:
    return kind_text(kind)


@bp.app_template_global()
def audit_payload_items(payload: Any) -> list[tuple[str, str]]:
    return queries.payload_items(payload)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        abort(400)
    return int(value)


def _render_trail(template: str, *, case: Case | None, endpoint_args: dict[str, Any]):
    form = AuditFilterForm(request.args)
    status = 200
    page = None
    if form.validate():
        filters = queries.AuditFilters(
            actor=form.actor.data or "", action=(form.action.data or "").strip(),
            date_from=form.date_from.data, date_to=form.date_to.data,
            case_id=case.id if case is not None else None)
        page = queries.event_page(filters, before=_int_arg("before"), after=_int_arg("after"))
    else:
        status = 400
    filter_args = {k: v for k, v in request.args.items() if k in ("actor", "action", "date_from", "date_to") and v}
    return render_template(
        template, form=form, page=page, case=case, filter_args={**endpoint_args, **filter_args},
        show_address=has_permission(current_user, Permission.AUDIT_VIEW_ALL),
        verify_form=VerifyNowForm() if has_permission(current_user, Permission.AUDIT_VIEW_ALL) else None,
    ), status


@bp.get("/audit")
@requires(Permission.AUDIT_VIEW_ALL)
def index():
    return _render_trail("audit/index.html", case=None, endpoint_args={})


@bp.get("/cases/<int:case_id>/audit")
@authenticated
def case_trail(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    return _render_trail("audit/case.html", case=case, endpoint_args={"case_id": case.id})


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.post("/audit/verify")
@requires(Permission.AUDIT_VIEW_ALL)
def verify_now():
    form = VerifyNowForm()
    target = _safe_next(request.form.get("next")) or url_for("audit.index")
    if not form.validate_on_submit():
        abort(400)
    result = verify_chain()
    store_result(result, source="web", actor=current_user._get_current_object())
    db.session.commit()
    if result.ok:
        flash(_("Granskningsloggen är intakt: %(n)d händelser kontrollerade.", n=result.events_checked), "success")
    else:
        flash(_("Granskningsloggen har manipulerats: %(kind)s vid händelse %(seq)d.",
                kind=kind_text(result.kind), seq=result.first_bad_seq or 0), "error")
    return redirect(target)
