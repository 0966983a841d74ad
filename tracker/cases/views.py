"""Case list, registration, editing and the case page's route. Thin: the boundary commits."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.auth.models import User
from tracker.casepage import render_case_page
from tracker.cases import queries, services
from tracker.cases.forms import CaseFilterForm, CaseForm, profile_names
from tracker.cases.models import Case
from tracker.cases.policy import can_edit_case, can_open_case, can_view_case
from tracker.errors import DomainError, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure import forms as pf
from tracker.procedure.stages import Stage, stage_label
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _wanted_page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.get("")
@requires(Permission.CASE_VIEW)
def index() -> tuple[str, int]:
    user = current_actor()
    form = CaseFilterForm(request.args)
    common = dict(form=form, can_open_case=can_open_case(user), profile_names=profile_names())
    if not form.validate():
        empty = queries.CaseListPage(rows=(), page=1, pages=1, total=0, total_capped=False)
        return render_template("cases/list.html", listing=empty, args={}, **common), 400
    listing = queries.case_list(user, form.filters(), _wanted_page())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/list.html", listing=listing, args=args, **common), 200


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new() -> Response | tuple[str, int]:
    form = CaseForm()
    if request.method == "GET":
        form.profile_code.data = form.profile_code.data or "se-mbl"
        return render_template("cases/form.html", form=form, case=None), 200
    if not form.validate_on_submit():
        return render_template("cases/form.html", form=form, case=None), 400
    try:
        case = services.open_case(current_actor(), profile_code=form.profile_code.data, **form.case_fields())
    except ValidationFailed as error:
        apply_domain_error(form, error)
        return render_template("cases/form.html", form=form, case=None), 400
    flash(_("Ärendet är registrerat med diarienummer %(number)s. Nästa skede: %(stage)s.",
            number=case.diary_number, stage=stage_label(case.current_stage)), "success:case")
    return redirect(url_for("cases.detail", case_id=case.id) + "#confirmation")


@bp.get("/<int:case_id>")
@requires(Permission.CASE_VIEW)
def detail(case_id: int) -> tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    return render_case_page(current_actor(), case)


@bp.get("/<int:case_id>/stages/<code>")
@requires(Permission.CASE_VIEW)
def stage(case_id: int, code: str) -> tuple[str, int]:
    """One stage's own view: its record, discussion, meetings and documents."""
    case = load_or_404(Case, case_id, can_view_case)
    if code not in set(Stage):
        abort(404)
    return render_case_page(current_actor(), case, stage=Stage(code))


def _form_page(form: CaseForm, case: Case, negotiation_closed: bool) -> str:
    return render_template("cases/form.html", form=form, case=case, profile_names=profile_names(),
                           negotiation_closed=negotiation_closed)


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit(case_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    user = current_actor()
    if not can_edit_case(user, case):
        raise PermissionDenied(_("Du kan inte ändra det här ärendet."))
    if request.method == "GET":
        form = CaseForm(obj=case, case_units=case.unit_names)
        form.units.data = case.unit_names
        return _form_page(form, case, queries.negotiation_closed(case)), 200
    form = CaseForm(case_units=case.unit_names)
    form.profile_code.data = case.profile_code  # the profile is fixed at registration
    closed = queries.negotiation_closed(case)
    if not form.validate_on_submit():
        return _form_page(form, case, closed), 400
    try:
        services.update_case(user, case, **form.case_fields())
    except ValidationFailed as error:
        apply_domain_error(form, error)
        return _form_page(form, case, closed), 400
    if queries.has_open_material_change(case):
        flash(_("Förhandlingen är avslutad och du har ändrat väsentliga uppgifter. Förfarandet kan behöva "
                "återupptas: välj nedan."), "warning")
        return redirect(url_for("cases.detail", case_id=case.id) + "#material-changes")
    flash(_("Uppgifterna är sparade."), "success:case")
    return redirect(url_for("cases.detail", case_id=case.id) + "#confirmation")


def _case_failed(case: Case, key: str, form: CsrfForm, error: DomainError | None = None) -> tuple[str, int]:
    """The case page again with the failed form in place (its status: 400, or the error's)."""
    status = 400
    if error is not None:
        if error.status_code in (403, 404):
            raise error
        apply_domain_error(form, error)
        status = error.status_code
    return render_case_page(current_actor(), case, failed={f"procedure.{key}": form}, status=status)


def _to_case(case: Case, message: str, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case.id) + f"#{anchor}")


@bp.post("/<int:case_id>/decision-makers")
@requires(Permission.PROCEDURE_RUN)
def assign_decision_maker(case_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    form = pf.AssignDecisionMakerForm(prefix="assign_dm")
    if not form.validate_on_submit():
        return _case_failed(case, "assign_dm", form)
    raw = str(form.user_id.data or "")
    user = db.session.get(User, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    try:
        services.assign_decision_maker(current_actor(), case, user)
    except DomainError as error:
        return _case_failed(case, "assign_dm", form, error)
    return _to_case(case, _("Beslutsfattaren är utsedd."), "decision-body")


@bp.post("/<int:case_id>/decision-makers/<int:assignment_id>/end")
@requires(Permission.PROCEDURE_RUN)
def end_decision_maker(case_id: int, assignment_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    form = pf.EndDecisionMakerForm(prefix=f"end_dm-{assignment_id}")
    key = f"end_dm:{assignment_id}"
    if not form.validate_on_submit():
        return _case_failed(case, key, form)
    try:
        services.end_decision_maker(current_actor(), case, assignment_id, form.reason.data)
    except DomainError as error:
        return _case_failed(case, key, form, error)
    return _to_case(case, _("Uppdraget som beslutsfattare är avslutat."), "decision-body")


def _resolve_material_change(case_id: int, change_id: int, *, reopen: bool) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    form = pf.MaterialChangeForm(prefix=f"material-{change_id}")
    key = f"material:{change_id}"
    if not form.validate_on_submit():
        return _case_failed(case, key, form)
    try:
        services.resolve_material_change(current_actor(), case, change_id, reopen=reopen, note=form.note.data or "")
    except DomainError as error:
        return _case_failed(case, key, form, error)
    message = _("Förfarandet är återupptaget vid tidig information.") if reopen else \
        _("Valet är registrerat: förfarandet återupptas inte.")
    return _to_case(case, message, "material-changes")


@bp.post("/<int:case_id>/material-changes/<int:change_id>/reopen")
@requires(Permission.CASE_EDIT)
def reopen_after_material_change(case_id: int, change_id: int) -> Response | tuple[str, int]:
    """One step: reopen the procedure at early information (a new round)."""
    return _resolve_material_change(case_id, change_id, reopen=True)


@bp.post("/<int:case_id>/material-changes/<int:change_id>/keep")
@requires(Permission.CASE_EDIT)
def keep_after_material_change(case_id: int, change_id: int) -> Response | tuple[str, int]:
    """Keep the closed negotiation, with a written reason."""
    return _resolve_material_change(case_id, change_id, reopen=False)
