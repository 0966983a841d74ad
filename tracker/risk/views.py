"""Risk assessment page: HR records it, a safety representative co-signs, personnel object, HR waives."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, ValidationFailed
from tracker.i18n import gettext as _
from tracker.risk import queries, services
from tracker.risk.forms import RiskForms, risk_forms
from tracker.risk.models import RiskAssessment
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.forms import apply_domain_error

bp = Blueprint("risk", __name__)


def _render(case: Case, failed: tuple[str, FlaskForm] | None = None, status: int = 200) -> tuple[str, int]:
    view = queries.risk_view(current_actor(), case)
    forms: RiskForms = risk_forms(view)
    if failed is not None:
        setattr(forms, failed[0], failed[1])
    return render_template("risk/page.html", case=case, view=view, assessment=view.assessment,
                           forms=forms), status


def _assessment_or_conflict(case: Case) -> RiskAssessment:
    assessment = services.assessment_for(case)
    if assessment is None:
        raise Conflict(_("Ärendet har ingen risk- och konsekvensanalys ännu."))
    return assessment


def _handle(case_id: int, name: str, action: Callable[[Case, FlaskForm], str]) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    form = RiskForms.submitted(name)
    if form.validate_on_submit():
        try:
            message = action(case, form)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("risk.page", case_id=case.id))
    return _render(case, (name, form), 400)


@bp.route("/cases/<int:case_id>/risk")
@requires(Permission.CASE_VIEW)
def page(case_id: int) -> tuple[str, int]:
    return _render(load_or_404(Case, case_id, can_view_case))


@bp.post("/cases/<int:case_id>/risk")
@requires(Permission.PROCEDURE_RUN)
def create(case_id: int) -> Response | tuple[str, int]:
    def action(case: Case, form: FlaskForm) -> str:
        services.create_assessment(current_actor(), case, summary=form.summary.data,
                                   document_id=form.document_id.data)
        return _("Risk- och konsekvensanalysen har sparats.")
    return _handle(case_id, "create", action)


@bp.post("/cases/<int:case_id>/risk/cosign")
@requires(Permission.RISK_COSIGN)
def cosign(case_id: int) -> Response | tuple[str, int]:
    def action(case: Case, form: FlaskForm) -> str:
        services.cosign(current_actor(), _assessment_or_conflict(case), password=form.password.data,
                        sha256=form.sha256.data or None)
        return _("Du har skrivit under risk- och konsekvensanalysen.")
    return _handle(case_id, "cosign", action)


@bp.post("/cases/<int:case_id>/risk/objections")
@requires(Permission.COMMENT)
def objection(case_id: int) -> Response | tuple[str, int]:
    def action(case: Case, form: FlaskForm) -> str:
        services.add_objection(current_actor(), _assessment_or_conflict(case), form.body.data)
        return _("Invändningen har sparats.")
    return _handle(case_id, "objection", action)


@bp.post("/cases/<int:case_id>/risk/waiver")
@requires(Permission.PROCEDURE_RUN)
def waiver(case_id: int) -> Response | tuple[str, int]:
    def action(case: Case, form: FlaskForm) -> str:
        services.waive(current_actor(), _assessment_or_conflict(case), form.reason.data)
        return _("Skälet har registrerats.")
    return _handle(case_id, "waiver", action)
