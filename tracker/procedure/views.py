"""Procedure actions on the case page and the admin page of profiles. Thin: parse the form, call a
service, redirect to the stage's view with the confirmation beside its actions; a failed form
re-renders the stage's view with the form in place. Legal milestones (completing, reopening,
ending the negotiations, the decision, an override, archiving) answer GET with their confirmation
page (tracker/procedure/confirmations.py) and perform on POST."""
from __future__ import annotations

from pathlib import PurePath
from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from tracker.auth.models import User
from tracker.casepage import render_case_page
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import DeadlineNotReached, DomainError
from tracker.i18n import gettext as _
from tracker.procedure import confirmations as confirm
from tracker.procedure import forms as pf
from tracker.procedure import panel as procedure_panel
from tracker.procedure import services as ps
from tracker.procedure.enums import Stage
from tracker.procedure.labels import deadline_label, setting_label, setting_value, stage_label
from tracker.procedure.panel_forms import milestone_form
from tracker.procedure.profiles import SETTING_NAMES, all_profiles
from tracker.procedure.stages import STAGES
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.confirm import Confirmation, render_confirmation
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("procedure", __name__)


def _actor() -> User:
    return cast(User, current_actor())


def _case(case_id: int) -> Case:
    return load_or_404(Case, case_id, can_view_case)


def _stage(code: str) -> Stage:
    try:
        return Stage(code)
    except ValueError:
        abort(404)


def _done(case: Case, message: str, stage: str | None = None, slot: str = "stage") -> ResponseReturnValue:
    """Done: to the stage's view (the case page for case-wide actions), the confirmation beside
    the action (`slot`) and focused (#confirmation)."""
    flash(message, f"success:{slot}")
    if stage is None:
        return redirect(url_for("cases.detail", case_id=case.id) + "#confirmation")
    return redirect(url_for("cases.stage", case_id=case.id, code=stage) + "#confirmation")


def _with_error(form: FlaskForm, error: DomainError | None) -> int:
    status = 400
    if error is not None:
        if error.status_code in (403, 404):
            raise error
        apply_domain_error(form, error)
        if isinstance(error, DeadlineNotReached) and error.earliest:
            form.form_errors.append(_("Tidigast: %(day)s", day=error.earliest.isoformat()))
        status = error.status_code
    return status


def _failed(case: Case, key: str, form: FlaskForm, error: DomainError | None = None,
            stage: str | None = None) -> ResponseReturnValue:
    """The stage's view again with the user's input and the errors in place (400, or the error's
    status); the transaction boundary rolls the request back."""
    status = _with_error(form, error)
    return render_case_page(_actor(), case, stage=stage, failed={f"procedure.{key}": form}, status=status)


def _unconfirmed(confirmation: Confirmation, error: DomainError | None = None) -> ResponseReturnValue:
    """A milestone's confirmation page again with the input and the errors."""
    return render_confirmation(confirmation, _with_error(confirmation.form, error))


def _refused(case: Case, error: DomainError, stage: str | None = None) -> ResponseReturnValue:
    """A button action refused: the reasons as a message on the stage's view."""
    if error.status_code in (403, 404):
        raise error
    flash(" ".join([error.message, *getattr(error, "reasons", [])]), "error:stage")
    return render_case_page(_actor(), case, stage=stage, status=error.status_code)


def _panel(case: Case) -> procedure_panel.ProcedurePanel:
    return procedure_panel.panel(_actor(), case)


@bp.post("/cases/<int:case_id>/stages/<code>/content")
@requires(Permission.PROCEDURE_RUN)
def update_content(case_id: int, code: str) -> ResponseReturnValue:
    case = _case(case_id)
    stage = _stage(code)
    cls = pf.CONTENT_FORMS.get(stage)
    if cls is None:
        abort(404)
    form = cls(prefix=stage)
    key = f"content:{stage}"
    if not form.validate_on_submit():
        return _failed(case, key, form, stage=stage)
    data = {name: f.data for name, f in form._fields.items() if name not in ("csrf_token", "proposal_delivered_at")}
    if stage == Stage.EARLY_INFORMATION:
        data["proposal_delivered_at"] = pf.to_utc(form.proposal_delivered_at.data)
    try:
        ps.update_stage(_actor(), case, stage, **data)
    except DomainError as error:
        return _failed(case, key, form, error, stage=stage)
    return _done(case, _("Uppgifterna är sparade."), stage)


@bp.route("/cases/<int:case_id>/stages/<code>/complete", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def complete(case_id: int, code: str) -> ResponseReturnValue:
    case = _case(case_id)
    stage = _stage(code)
    if request.method == "GET":
        return render_confirmation(confirm.complete(case, stage, _panel(case)))
    if not CsrfForm().validate_on_submit():
        return render_case_page(_actor(), case, stage=stage, status=400)
    try:
        ps.complete_stage(_actor(), case, stage)
    except DomainError as error:
        return _refused(case, error, stage)
    # To the case page: it now shows the next stage, the confirmation at the top of it.
    return _done(case, _("Skedet är avslutat."))


@bp.route("/cases/<int:case_id>/stages/<code>/reopen", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def reopen(case_id: int, code: str) -> ResponseReturnValue:
    case = _case(case_id)
    stage = _stage(code)
    if request.method == "GET":
        return render_confirmation(confirm.reopen(case, stage, milestone_form("reopen", _panel(case), stage)))
    form = pf.ReopenForm(prefix=f"reopen-{stage}")
    if not form.validate_on_submit():
        return _unconfirmed(confirm.reopen(case, stage, form))
    try:
        ps.reopen_stage(_actor(), case, stage, form.reason.data)
    except DomainError as error:
        return _unconfirmed(confirm.reopen(case, stage, form), error)
    return _done(case, _("Skedet är återupptaget."), stage)


@bp.post("/cases/<int:case_id>/stages/<code>/positions")
@requires(Permission.STAGE_POSITION)
def add_position(case_id: int, code: str) -> ResponseReturnValue:
    case = _case(case_id)
    stage = _stage(code)
    form = pf.PositionForm(prefix=f"position-{stage}")
    if not form.validate_on_submit():
        return _failed(case, f"position:{stage}", form, stage=stage)
    try:
        ps.add_position(_actor(), case, stage, form.text.data, dissent=form.dissent.data, final=form.final.data)
    except DomainError as error:
        return _failed(case, f"position:{stage}", form, error, stage=stage)
    return _done(case, _("Ståndpunkten är registrerad."), stage)


@bp.route("/cases/<int:case_id>/closing/end", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def end_negotiation(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    if request.method == "GET":
        return render_confirmation(confirm.end_negotiation(case, milestone_form("end", _panel(case))))
    form = pf.EndNegotiationForm(prefix="end")
    if not form.validate_on_submit():
        return _unconfirmed(confirm.end_negotiation(case, form))
    try:
        ps.end_negotiation(_actor(), case, end_mode=form.end_mode.data, ended_at=pf.to_utc(form.ended_at.data),
                           employer_position=form.employer_position.data,
                           personnel_position=form.personnel_position.data, notice_by=form.notice_by.data or None)
    except DomainError as error:
        return _unconfirmed(confirm.end_negotiation(case, form), error)
    return _done(case, _("Förhandlingens avslutning är registrerad."), Stage.CLOSING)


@bp.post("/cases/<int:case_id>/central-negotiation")
@requires(Permission.CENTRAL_NEGOTIATION_REQUEST)
def request_central(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = pf.CentralRequestForm(prefix="central")
    if not form.validate_on_submit():
        return _failed(case, "central", form, stage=Stage.CLOSING)
    try:
        req = ps.request_central_negotiation(_actor(), case, note=form.note.data or "")
    except DomainError as error:
        return _failed(case, "central", form, error, stage=Stage.CLOSING)
    message = _("Begäran om central förhandling är registrerad.") if req.timely else \
        _("Begäran är registrerad som för sen; den spärrar inte beslutet.")
    return _done(case, message, Stage.CLOSING)


@bp.post("/cases/<int:case_id>/central-negotiation/<int:request_id>/end")
@requires(Permission.PROCEDURE_RUN)
def end_central(case_id: int, request_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = pf.CentralEndForm(prefix="central_end")
    if not form.validate_on_submit():
        return _failed(case, "central_end", form, stage=Stage.CLOSING)
    try:
        ps.end_central_negotiation(_actor(), case, request_id, outcome=form.outcome.data)
    except DomainError as error:
        return _failed(case, "central_end", form, error, stage=Stage.CLOSING)
    return _done(case, _("Den centrala förhandlingen är avslutad."), Stage.CLOSING)


@bp.post("/cases/<int:case_id>/urgent-decision")
@requires(any_of=(Permission.PROCEDURE_RUN, Permission.DECISION_REGISTER))
def urgent_decision(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = pf.UrgentDecisionForm(prefix="urgent")
    if not form.validate_on_submit():
        return _failed(case, "urgent", form, stage=Stage.DECISION)
    try:
        ps.record_urgent_decision(_actor(), case, form.reason.data)
    except DomainError as error:
        return _failed(case, "urgent", form, error, stage=Stage.DECISION)
    return _done(case, _("Synnerliga skäl är registrerade."), Stage.DECISION)


@bp.route("/cases/<int:case_id>/decision", methods=["GET", "POST"])
@requires(Permission.DECISION_REGISTER)
def register_decision(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    panel = _panel(case)
    if request.method == "GET":
        return render_confirmation(confirm.decision(case, milestone_form("decision", panel), panel))
    form = pf.DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _unconfirmed(confirm.decision(case, form, panel))
    try:
        ps.register_decision(_actor(), case, body=form.body.data, decided_on=form.decided_on.data,
                             reference=form.reference.data, summary=form.summary.data or "",
                             override_reason=form.override_reason.data or None)
    except DomainError as error:
        return _unconfirmed(confirm.decision(case, form, panel), error)
    return _done(case, _("Beslutet är registrerat."), Stage.DECISION)


@bp.route("/cases/<int:case_id>/overrides", methods=["GET", "POST"])
@requires(Permission.DEADLINE_OVERRIDE)
def override(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    if request.method == "GET":
        return render_confirmation(confirm.override(case, milestone_form("override", _panel(case))))
    form = pf.OverrideForm(prefix="override")
    if not form.validate_on_submit():
        return _unconfirmed(confirm.override(case, form))
    try:
        ps.override_deadline(_actor(), case, form.deadline_code.data, form.reason.data)
    except DomainError as error:
        return _unconfirmed(confirm.override(case, form), error)
    return _done(case, _("Tidsfristen är åsidosatt och markerad som avsteg."), slot="deadlines")


@bp.post("/cases/<int:case_id>/evaluation/approve")
@requires(Permission.CASE_VIEW)
def approve_evaluation(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    form = pf.ApproveEvaluationForm(prefix="approve")
    if not form.validate_on_submit():
        return _failed(case, "approve", form, stage=Stage.EVALUATION)
    try:
        ps.approve_evaluation(_actor(), case, approved_on=form.approved_on.data,
                              minute_reference=form.minute_reference.data or "")
    except DomainError as error:
        return _failed(case, "approve", form, error, stage=Stage.EVALUATION)
    return _done(case, _("Utvärderingen är godkänd."), Stage.EVALUATION)


@bp.route("/cases/<int:case_id>/archive", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def archive(case_id: int) -> ResponseReturnValue:
    case = _case(case_id)
    if request.method == "GET":
        return render_confirmation(confirm.archive(case, _panel(case)))
    if not CsrfForm().validate_on_submit():
        return render_case_page(_actor(), case, status=400)
    try:
        ps.archive_case(_actor(), case)
    except DomainError as error:
        return _refused(case, error)
    return _done(case, _("Ärendet är arkiverat."), slot="case")


@bp.get("/admin/profiles")
@requires(Permission.PROFILES_VIEW)
def profiles() -> ResponseReturnValue:
    profiles = sorted(all_profiles().values(), key=lambda p: p.code)
    # The file's name, for whoever maintains the profiles; never the server's directories.
    file_names = {p.code: PurePath(p.source).name for p in profiles if p.source}
    return render_template("procedure/profiles.html", profiles=profiles, file_names=file_names,
                           settings=SETTING_NAMES, setting_label=setting_label, setting_value=setting_value,
                           stages=STAGES, stage_label=stage_label,
                           deadline_label=deadline_label)
