"""Export pages: the case-page buttons, the auditor's overview of all cases and bulk export."""
from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, abort, render_template, request, send_file
from werkzeug.wrappers import Response

from tracker.cases.forms import profile_names
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import DomainError
from tracker.exports import policy, queries, services
from tracker.exports.forms import FILTER_FIELDS, BulkExportForm, CaseFilterForm, export_form, filter_form
from tracker.i18n import gettext as _
from tracker.procedure.forms import StatementExportForm
from tracker.procedure.profiles import profile_codes
from tracker.timeutil import org_tz
from tracker.web.access import Permission, authenticated, current_actor, load_or_404, requires
from tracker.web.errors import render_error

bp = Blueprint("exports", __name__)

BULK_LIMIT = 100


def _download(export: services.Export) -> Response:
    response = send_file(io.BytesIO(export.data), mimetype=export.mimetype, as_attachment=True,
                         download_name=export.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/cases/<int:case_id>/export")
@authenticated
def export_case(case_id: int) -> Response | tuple[str, int]:
    user = current_actor()
    case = load_or_404(Case, case_id, can_view_case, kind="export")
    if not policy.can_export(user, case):
        abort(403)
    form = export_form()
    if not form.validate_on_submit():
        return render_error(400, _("Välj ett av formaten PDF, JSON, CSV eller paket."))
    return _download(services.export(case, user, form.format.data, language=form.language.data or None))


@bp.post("/cases/<int:case_id>/decision-statement")
@requires(Permission.CASE_VIEW)
def decision_statement(case_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case, kind="export")
    form = StatementExportForm(prefix="statement")
    if not form.validate_on_submit():
        if "language" in form.errors:
            return render_error(400, _("Välj ett av språken i listan."))
        return render_error(400, _("Välj PDF eller text."))
    try:
        export = services.export_statement(case, current_actor(), form.format.data,
                                           language=form.language.data or None)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        return render_error(error.status_code, error.message)
    return _download(export)


def _overview_page(form: CaseFilterForm, bulk: BulkExportForm, *, overview: queries.Overview | None = None,
                   bulk_error: str | None = None) -> str:
    return render_template(
        "exports/overview.html", form=form, cases=overview.cases if overview else [],
        total=overview.total if overview else 0, bulk=bulk, bulk_error=bulk_error,
        export_form=export_form(blank=True), limit=queries.OVERVIEW_LIMIT, bulk_limit=BULK_LIMIT,
        profile_names=profile_names())


@bp.get("/exports")
@requires(Permission.EXPORT, Permission.AUDIT_VIEW_ALL)
def overview() -> str | tuple[str, int]:
    form = filter_form(request.args, profile_codes())
    if request.args and not form.validate():
        return _overview_page(form, BulkExportForm()), 400
    bulk = BulkExportForm(formdata=None, data={k: request.args.get(k, "") for k in FILTER_FIELDS})
    return _overview_page(form, bulk, overview=queries.overview(current_actor(), form.filters()))


@bp.post("/exports/bulk")
@requires(Permission.EXPORT, Permission.AUDIT_VIEW_ALL)
def bulk_export() -> Response | tuple[str, int]:
    user = current_actor()
    bulk = BulkExportForm()
    form = filter_form(request.form, profile_codes())
    if not bulk.validate_on_submit() or not form.validate():
        return _overview_page(form, bulk), 400
    cases = queries.bulk_cases(user, form.filters(), BULK_LIMIT)
    if not cases or len(cases) > BULK_LIMIT:
        message = (_("Inga ärenden matchar filtret.") if not cases else
                   _("Fler än %(n)d ärenden matchar; begränsa urvalet.", n=BULK_LIMIT))
        return _overview_page(form, bulk, bulk_error=message), 400
    stamp = datetime.now(org_tz()).strftime("%Y%m%d-%H%M")
    return _download(services.export_bulk(user, cases, stamp=stamp))
