"""Procedure actions on the case page (all POST) and the admin page of profiles."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.access import Permission, requires
from tracker.cases.models import Case
from tracker.cases.page import render_case
from tracker.cases.services import get_case_for
from tracker.errors import DeadlineNotReached, DomainError, GateClosed, NotFound
from tracker.extensions import db
from tracker.procedure import forms as pf
from tracker.procedure import services as ps
from tracker.procedure.profiles import SETTINGS_SCHEMA, all_profiles
from tracker.procedure.stages import STAGES

bp = Blueprint("procedure", __name__)


def _case(case_id: int) -> Case:
    return get_case_for(current_user, case_id)


def _stage(code: str) -> str:
    if code not in STAGES:
        raise NotFound("unknown stage")
    return code


def _done(case: Case, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case.id) + (f"#{anchor}" if anchor else ""))


def _fail(case: Case, key: str, form, error: DomainError, extra: dict | None = None):
    """Re-render the case page with the user's input and the error tied to its field (400/409)."""
    db.session.rollback()
    errors = dict(error.details.get("errors") or {})
    field = error.details.get("field")
    if field and field not in errors:
        errors[field] = error.message
    placed = False
    for name, message in errors.items():
        if form is not None and name in form._fields:
            form._fields[name].errors = list(form._fields[name].errors or []) + [message]
            placed = True
    if form is not None and not placed:
        form.form_errors.append(error.message)
        for reason in getattr(error, "reasons", []) or []:
            form.form_errors.append(reason)
        if isinstance(error, DeadlineNotReached) and error.earliest:
            form.form_errors.append(_("Tidigast: %(day)s", day=error.earliest.isoformat()))
    forms = {key: form, **(extra or {})}
    if error.status_code in (403, 404):
        raise error
    return render_case(case, forms, error.status_code)


def _invalid(case: Case, key: str, form, extra: dict | None = None):
    db.session.rollback()
    return render_case(case, {key: form, **(extra or {})}, 400)


@bp.post("/cases/<int:case_id>/stages/<code>/content")
@requires(Permission.PROCEDURE_RUN)
def update_content(case_id: int, code: str):
    case = _case(case_id)
    code = _stage(code)
    cls = pf.CONTENT_FORMS.get(code)
    if cls is None:
        raise NotFound("no content form")
    form = cls(prefix=code)
    key = f"content:{code}"
    if not form.validate_on_submit():
        return _invalid(case, key, form)
    data = {name: f.data for name, f in form._fields.items() if name not in ("csrf_token", "proposal_delivered_at")}
    kwargs = {}
    if code == "early_information":
        kwargs["proposal_delivered_at"] = pf.to_utc(form.proposal_delivered_at.data)
    try:
        ps.update_stage(current_user, case, code, **data, **kwargs)
        db.session.commit()
    except DomainError as error:
        return _fail(case, key, form, error)
    return _done(case, _("Uppgifterna är sparade."), f"stage-{code}")


@bp.post("/cases/<int:case_id>/stages/<code>/complete")
@requires(Permission.PROCEDURE_RUN)
def complete(case_id: int, code: str):
    case = _case(case_id)
    code = _stage(code)
    form = pf.ActionForm()
    if not form.validate_on_submit():
        return render_case(case, {}, 400)
    try:
        ps.complete_stage(current_user, case, code)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status_code in (403, 404):
            raise
        flash(" ".join([error.message, *getattr(error, "reasons", [])]), "error")
        return render_case(case, {}, error.status_code)
    return _done(case, _("Steget är avslutat."), f"stage-{code}")


@bp.post("/cases/<int:case_id>/stages/<code>/reopen")
@requires(Permission.PROCEDURE_RUN)
def reopen(case_id: int, code: str):
    case = _case(case_id)
    code = _stage(code)
    form = pf.ReopenForm(prefix=f"reopen-{code}")
    if not form.validate_on_submit():
        return _invalid(case, "reopen", form, {"reopen_stage": code})
    try:
        ps.reopen_stage(current_user, case, code, form.reason.data)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "reopen", form, error, {"reopen_stage": code})
    return _done(case, _("Steget är återupptaget."), f"stage-{code}")


@bp.post("/cases/<int:case_id>/stages/<code>/positions")
@requires(Permission.STAGE_POSITION)
def add_position(case_id: int, code: str):
    case = _case(case_id)
    code = _stage(code)
    form = pf.PositionForm(prefix=f"position-{code}")
    if not form.validate_on_submit():
        return _invalid(case, "position", form, {"position_stage": code})
    try:
        ps.add_position(current_user, case, code, form.text.data, dissent=form.dissent.data, final=form.final.data)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "position", form, error, {"position_stage": code})
    return _done(case, _("Ståndpunkten är registrerad."), f"stage-{code}")


@bp.post("/cases/<int:case_id>/closing/end")
@requires(Permission.PROCEDURE_RUN)
def end_negotiation(case_id: int):
    case = _case(case_id)
    form = pf.EndNegotiationForm(prefix="end")
    if not form.validate_on_submit():
        return _invalid(case, "end", form)
    try:
        ps.end_negotiation(current_user, case, end_mode=form.end_mode.data, ended_at=pf.to_utc(form.ended_at.data),
                           employer_position=form.employer_position.data,
                           personnel_position=form.personnel_position.data, notice_by=form.notice_by.data or None)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "end", form, error)
    return _done(case, _("Förhandlingens avslutning är registrerad."), "stage-closing")


@bp.post("/cases/<int:case_id>/central-negotiation")
@requires(Permission.CENTRAL_NEGOTIATION_REQUEST)
def request_central(case_id: int):
    case = _case(case_id)
    form = pf.CentralRequestForm(prefix="central")
    if not form.validate_on_submit():
        return _invalid(case, "central", form)
    try:
        req = ps.request_central_negotiation(current_user, case, note=form.note.data or "")
        db.session.commit()
    except DomainError as error:
        return _fail(case, "central", form, error)
    message = _("Begäran om central förhandling är registrerad.") if req.timely else \
        _("Begäran är registrerad som för sen; den spärrar inte beslutet.")
    return _done(case, message, "stage-closing")


@bp.post("/cases/<int:case_id>/central-negotiation/<int:request_id>/end")
@requires(Permission.PROCEDURE_RUN)
def end_central(case_id: int, request_id: int):
    case = _case(case_id)
    form = pf.CentralEndForm(prefix="central_end")
    if not form.validate_on_submit():
        return _invalid(case, "central_end", form)
    try:
        ps.end_central_negotiation(current_user, case, request_id, outcome=form.outcome.data)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "central_end", form, error)
    return _done(case, _("Den centrala förhandlingen är avslutad."), "stage-closing")


@bp.post("/cases/<int:case_id>/urgent-decision")
@requires(any_of=(Permission.PROCEDURE_RUN, Permission.DECISION_REGISTER))
def urgent_decision(case_id: int):
    case = _case(case_id)
    form = pf.UrgentDecisionForm(prefix="urgent")
    if not form.validate_on_submit():
        return _invalid(case, "urgent", form)
    try:
        ps.record_urgent_decision(current_user, case, form.reason.data)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "urgent", form, error)
    return _done(case, _("Synnerliga skäl är registrerade."), "stage-decision")


@bp.post("/cases/<int:case_id>/decision")
@requires(Permission.DECISION_REGISTER)
def register_decision(case_id: int):
    case = _case(case_id)
    form = pf.DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _invalid(case, "decision", form)
    try:
        ps.register_decision(current_user, case, body=form.body.data, decided_on=form.decided_on.data,
                             reference=form.reference.data, summary=form.summary.data or "",
                             override_reason=form.override_reason.data or None)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "decision", form, error)
    return _done(case, _("Beslutet är registrerat."), "stage-decision")


@bp.post("/cases/<int:case_id>/overrides")
@requires(Permission.DEADLINE_OVERRIDE)
def override(case_id: int):
    case = _case(case_id)
    form = pf.OverrideForm(prefix="override")
    if not form.validate_on_submit():
        return _invalid(case, "override", form)
    try:
        ps.override_deadline(current_user, case, form.deadline_code.data, form.reason.data)
        db.session.commit()
    except DomainError as error:
        return _fail(case, "override", form, error)
    return _done(case, _("Tidsfristen är åsidosatt och markerad som avsteg."), "deadlines")


@bp.post("/cases/<int:case_id>/evaluation/approve")
@requires(Permission.CASE_VIEW)
def approve_evaluation(case_id: int):
    case = _case(case_id)
    form = pf.ApproveEvaluationForm(prefix="approve")
    if not form.validate_on_submit():
        return _invalid(case, "approve", form)
    try:
        ps.approve_evaluation(current_user, case, approved_on=form.approved_on.data,
                              minute_reference=form.minute_reference.data or "")
        db.session.commit()
    except DomainError as error:
        return _fail(case, "approve", form, error)
    return _done(case, _("Utvärderingen är godkänd."), "stage-evaluation")


@bp.post("/cases/<int:case_id>/archive")
@requires(Permission.PROCEDURE_RUN)
def archive(case_id: int):
    case = _case(case_id)
    form = pf.ActionForm()
    if not form.validate_on_submit():
        return render_case(case, {}, 400)
    try:
        ps.archive_case(current_user, case)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status_code in (403, 404):
            raise
        flash(" ".join([error.message, *getattr(error, "reasons", [])]), "error")
        return render_case(case, {}, error.status_code)
    return _done(case, _("Ärendet är arkiverat."))


@bp.get("/admin/profiles")
@requires(Permission.PROFILES_VIEW)
def profiles():
    return render_template("procedure/profiles.html", profiles=sorted(all_profiles().values(), key=lambda p: p.code),
                           settings=list(SETTINGS_SCHEMA))
