"""Risk assessment page: HR records it, a safety representative co-signs, personnel object, HR waives."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.access import Permission, requires
from tracker.cases.models import Case
from tracker.errors import Conflict, ValidationFailed
from tracker.extensions import db
from tracker.risk import services
from tracker.risk.forms import AssessmentForm, CosignForm, ObjectionForm, WaiverForm
from tracker.steering import policy
from tracker.steering.web import case_url, field_error

bp = Blueprint("risk", __name__)

FORMS = {"create": AssessmentForm, "cosign": CosignForm, "objection": ObjectionForm, "waiver": WaiverForm}


def _render(case: Case, override: dict | None = None, status: int = 200):
    user = current_user._get_current_object()
    assessment = services.assessment_for(case)
    is_hr = policy.can_manage_members(user, case)
    allowed = {
        "create": is_hr and assessment is None,
        "cosign": assessment is not None and not assessment.is_cosigned and policy.can_cosign_risk(user, case),
        "objection": assessment is not None and not case.is_archived and policy.is_personnel_member(user, case),
        "waiver": (assessment is not None and is_hr and not assessment.is_cosigned
                   and not assessment.is_waived),
    }
    forms = {name: (override or {}).get(name) or (FORMS[name](formdata=None, prefix=name) if ok else None)
             for name, ok in allowed.items()}
    return render_template("risk/page.html", case=case, assessment=assessment, forms=forms,
                           case_url=case_url(case)), status


def _assessment_or_conflict(case: Case):
    assessment = services.assessment_for(case)
    if assessment is None:
        raise Conflict(_("Ärendet har ingen risk- och konsekvensanalys ännu."))
    return assessment


def _handle(case_id: int, name: str, action):
    case = policy.load_case_or_404(case_id)
    form = FORMS[name](prefix=name)
    if form.validate_on_submit():
        try:
            message = action(case, form)
        except ValidationFailed as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("risk.page", case_id=case.id))
    return _render(case, {name: form}, 400)


@bp.route("/cases/<int:case_id>/risk")
@requires(Permission.CASE_VIEW)
def page(case_id: int):
    return _render(policy.load_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/risk")
@requires(Permission.PROCEDURE_RUN)
def create(case_id: int):
    def action(case, form):
        services.create_assessment(current_user, case, summary=form.summary.data,
                                   document_id=form.document_id.data)
        return _("Risk- och konsekvensanalysen har sparats.")
    return _handle(case_id, "create", action)


@bp.post("/cases/<int:case_id>/risk/cosign")
@requires(Permission.RISK_COSIGN)
def cosign(case_id: int):
    def action(case, form):
        services.cosign(current_user, _assessment_or_conflict(case), password=form.password.data)
        return _("Du har skrivit under risk- och konsekvensanalysen.")
    return _handle(case_id, "cosign", action)


@bp.post("/cases/<int:case_id>/risk/objections")
@requires(Permission.COMMENT)
def objection(case_id: int):
    def action(case, form):
        services.add_objection(current_user, _assessment_or_conflict(case), form.body.data)
        return _("Invändningen har sparats.")
    return _handle(case_id, "objection", action)


@bp.post("/cases/<int:case_id>/risk/waiver")
@requires(Permission.PROCEDURE_RUN)
def waiver(case_id: int):
    def action(case, form):
        services.waive(current_user, _assessment_or_conflict(case), form.reason.data)
        return _("Skälet har registrerats.")
    return _handle(case_id, "waiver", action)
