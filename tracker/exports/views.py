"""Export pages: buttons on the case page, the auditor's overview of all cases and bulk export."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select

from tracker.access import Permission, requires
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case, visible_cases
from tracker.errors import DomainError
from tracker.web.errors import render_error
from tracker.exports import services
from tracker.exports.forms import BulkExportForm, CaseFilterForm, ExportForm
from tracker.exports.policy import can_export, can_export_all
from tracker.extensions import db
from tracker.timeutil import org_tz

bp = Blueprint("exports", __name__)

OVERVIEW_LIMIT = 500
BULK_LIMIT = 100


def _download(data: bytes, filename: str, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _overview_helpers() -> dict[str, Any]:
    from tracker.exports.forms import STATUS_CHOICES

    return {"status_labels": {code: str(label) for code, label in STATUS_CHOICES if code}}


@bp.app_context_processor
def _panel_helpers() -> dict[str, Any]:
    def exports_panel(case: Case) -> dict[str, Any]:
        allowed = current_user.is_authenticated and can_export(current_user, case)
        return {"can_export": allowed, "formats": services.FORMATS}

    return {"exports_panel": exports_panel}


@bp.post("/cases/<int:case_id>/export")
@requires(Permission.EXPORT)
def export_case(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    form = ExportForm()
    if not form.validate_on_submit():
        return render_error(400, _("Välj ett av formaten PDF, JSON, CSV eller paket."))
    try:
        result = services.export(case, current_user, form.format.data)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return _download(result.data, result.filename, result.mimetype)


def _filtered(form: CaseFilterForm) -> Select:
    query = visible_cases(current_user)
    if form.profile.data:
        query = query.where(Case.profile_code == form.profile.data)
    if form.status.data:
        query = query.where(Case.status == form.status.data)
    if form.non_compliance.data == "yes":
        query = query.where(Case.non_compliance.is_(True))
    elif form.non_compliance.data == "no":
        query = query.where(Case.non_compliance.is_(False))
    tz = org_tz()
    if form.registered_from.data:
        query = query.where(Case.created_at >= datetime.combine(form.registered_from.data, time.min, tz))
    if form.registered_to.data:
        end = datetime.combine(form.registered_to.data + timedelta(days=1), time.min, tz)
        query = query.where(Case.created_at < end)
    return query


def _filter_form(formdata) -> CaseFilterForm:
    form = CaseFilterForm(formdata=formdata)
    from tracker.procedure.profiles import profile_codes

    form.profile.choices = [("", _("Alla"))] + [(code, code) for code in profile_codes()]
    return form


@bp.get("/exports")
@requires(Permission.EXPORT, Permission.AUDIT_VIEW_ALL)
def overview():
    if not can_export_all(current_user):
        abort(403)
    form = _filter_form(request.args)
    if request.args and not form.validate():
        return render_template("exports/overview.html", form=form, cases=[], total=0,
                               bulk=BulkExportForm(), limit=OVERVIEW_LIMIT, bulk_limit=BULK_LIMIT), 400
    query = _filtered(form)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    cases = db.session.execute(
        query.order_by(Case.created_at.desc(), Case.id.desc()).limit(OVERVIEW_LIMIT)).scalars().unique().all()
    bulk = BulkExportForm(formdata=None, data={k: request.args.get(k, "") for k in
                                               ("profile", "status", "non_compliance", "registered_from",
                                                "registered_to")})
    return render_template("exports/overview.html", form=form, cases=cases, total=total, bulk=bulk,
                           limit=OVERVIEW_LIMIT, bulk_limit=BULK_LIMIT)


@bp.post("/exports/bulk")
@requires(Permission.EXPORT, Permission.AUDIT_VIEW_ALL)
def bulk_export():
    if not can_export_all(current_user):
        abort(403)
    bulk = BulkExportForm()
    form = _filter_form(request.form)
    if not bulk.validate_on_submit() or not form.validate():
        return render_template("exports/overview.html", form=form, cases=[], total=0, bulk=bulk,
                               limit=OVERVIEW_LIMIT, bulk_limit=BULK_LIMIT), 400
    cases = db.session.execute(
        _filtered(form).order_by(Case.diary_number).limit(BULK_LIMIT + 1)).scalars().unique().all()
    if not cases or len(cases) > BULK_LIMIT:
        message = (_("Inga ärenden matchar filtret.") if not cases else
                   _("Fler än %(n)d ärenden matchar; begränsa urvalet.", n=BULK_LIMIT))
        return render_template("exports/overview.html", form=form, cases=[], total=0, bulk=bulk,
                               limit=OVERVIEW_LIMIT, bulk_limit=BULK_LIMIT, bulk_error=message), 400
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for case in cases:
            result = services.export_bundle(case, current_user, extra_payload={"bulk": True})
            archive.writestr(result.filename, result.data)
    db.session.commit()
    stamp = datetime.now(org_tz()).strftime("%Y%m%d-%H%M")
    return _download(out.getvalue(), f"procedure-records-{stamp}.zip", "application/zip")
