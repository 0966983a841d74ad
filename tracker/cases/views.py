"""Case list, registration, editing and the case page."""
from __future__ import annotations

import math

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, func, or_, select

from tracker.access import Permission, authenticated, requires
from tracker.cases import services
from tracker.cases.forms import CaseFilterForm, CaseForm, change_kind_label
from tracker.cases.models import Case, CaseStatus, CaseUnit
from tracker.cases.policy import can_view_case, visible_cases
from tracker.errors import DomainError, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.profiles import all_profiles
from tracker.procedure.stages import STAGES, stage_label

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 25
COUNT_CAP = 1000

STATUS_LABELS = {"active": _l("Pågående"), "decided": _l("Beslutat"), "archived": _l("Arkiverat")}


@bp.app_template_global("case_status_label")
def case_status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


@bp.app_template_global("change_kind_label")
def _change_kind_label(code: str) -> str:
    return change_kind_label(code)


@bp.app_template_global("stage_name")
def _stage_name(code: str) -> str:
    return stage_label(code)


def _profile_choices() -> list[tuple[str, str]]:
    return [(code, p.display_name("sv")) for code, p in sorted(all_profiles().items())]


def _load(case_id: int) -> Case:
    return services.get_case_for(current_user, case_id)


def _filtered(form: CaseFilterForm):
    query = visible_cases(current_user)
    if form.q.data:
        like = f"%{form.q.data.strip()}%"
        query = query.where(or_(Case.diary_number.ilike(like), Case.title.ilike(like), Case.description.ilike(like)))
    if form.stage.data:
        query = query.where(Case.current_stage == form.stage.data, Case.status != CaseStatus.ARCHIVED)
    if form.unit.data:
        query = query.where(exists().where(CaseUnit.case_id == Case.id,
                                           func.lower(CaseUnit.name) == form.unit.data.strip().lower()))
    if form.profile.data:
        query = query.where(Case.profile_code == form.profile.data)
    if form.status.data:
        query = query.where(Case.status == form.status.data)
    if form.non_compliance.data:
        query = query.where(Case.non_compliance.is_(True))
    return query


def _filter_form() -> CaseFilterForm:
    form = CaseFilterForm(request.args)
    form.stage.choices = [("", _("Alla"))] + [(c, stage_label(c)) for c in STAGES]
    form.profile.choices = [("", _("Alla"))] + _profile_choices()
    form.status.choices = [("", _("Alla"))] + [(s.value, str(STATUS_LABELS[s.value])) for s in CaseStatus]
    return form


def case_rows(cases: list[Case]) -> list[dict]:
    """Cases with their next deadline (a fixed number of queries for any number of cases)."""
    facts = ps.facts_for_cases(cases)
    today = ps.today()
    rows = []
    for case in cases:
        deadlines = dl.compute(facts[case.id], today)
        rows.append({"case": case, "deadlines": deadlines, "next": dl.next_deadline(deadlines, today)})
    return rows


@bp.get("")
@requires(Permission.CASE_VIEW)
def index():
    form = _filter_form()
    valid = form.validate()
    if not valid:
        return render_template("cases/list.html", form=form, rows=[], page=1, pages=1, total=0), 400
    query = _filtered(form)
    try:
        wanted = max(1, int(request.args.get("page", 1)))
    except ValueError:
        wanted = 1
    # Count no further than needed: an exact count of a list of 100,000 cases costs more than
    # the page; beyond COUNT_CAP (or the requested page) the list says "more than N".
    limit = max(COUNT_CAP, wanted * PAGE_SIZE) + 1
    total = db.session.execute(select(func.count()).select_from(
        query.with_only_columns(Case.id).order_by(None).limit(limit).subquery())).scalar_one()
    capped = total >= limit
    if capped:
        total = limit - 1
    pages = max(1, math.ceil(total / PAGE_SIZE)) + (1 if capped else 0)
    page = min(wanted, pages)
    cases = list(db.session.execute(
        query.order_by(Case.created_at.desc(), Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars().unique())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/list.html", form=form, rows=case_rows(cases), page=page, pages=pages,
                           total=total, total_capped=capped, args=args)


def _new_form(**kwargs) -> CaseForm:
    form = CaseForm(**kwargs)
    form.profile_code.choices = _profile_choices()
    return form


def _apply_errors(form, error: DomainError) -> None:
    errors = error.details.get("errors") or {}
    field = error.details.get("field")
    if field and field not in errors:
        errors = {field: error.message}
    placed = False
    for name, message in errors.items():
        if name in form._fields:
            form._fields[name].errors = list(form._fields[name].errors or []) + [message]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new():
    form = _new_form()
    if request.method == "GET":
        form.profile_code.data = form.profile_code.data or "se-mbl"
        return render_template("cases/form.html", form=form, case=None)
    if not form.validate_on_submit():
        return render_template("cases/form.html", form=form, case=None), 400
    try:
        case = services.open_case(
            current_user, title=form.title.data, description=form.description.data or "",
            change_kind=form.change_kind.data, staff_affected=form.staff_affected.data or 0, units=form.unit_list(),
            may_reduce_staff=form.may_reduce_staff.data, is_large=form.is_large.data,
            planned_decision_date=form.planned_decision_date.data, decision_body=form.decision_body.data or "",
            profile_code=form.profile_code.data)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        _apply_errors(form, error)
        return render_template("cases/form.html", form=form, case=None), 400
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.get("/<int:case_id>")
@requires(Permission.CASE_VIEW)
def detail(case_id: int):
    from tracker.casepage import render_case_page

    return render_case_page(current_user._get_current_object(), _load(case_id))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit(case_id: int):
    case = _load(case_id)
    if not services.can_edit_case(current_user, case):
        from tracker.errors import PermissionDenied

        raise PermissionDenied(_("Du kan inte ändra det här ärendet."))
    if request.method == "GET":
        form = _new_form(obj=case, data={"units": "\n".join(case.unit_names)})
        form.units.data = "\n".join(case.unit_names)
        return render_template("cases/form.html", form=form, case=case)
    form = _new_form()
    form.profile_code.data = case.profile_code  # the profile is fixed at registration
    if not form.validate_on_submit():
        return render_template("cases/form.html", form=form, case=case), 400
    try:
        services.update_case(
            current_user, case, title=form.title.data, description=form.description.data or "",
            change_kind=form.change_kind.data, staff_affected=form.staff_affected.data or 0,
            units=form.unit_list(), may_reduce_staff=form.may_reduce_staff.data, is_large=form.is_large.data,
            planned_decision_date=form.planned_decision_date.data, decision_body=form.decision_body.data or "")
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        _apply_errors(form, error)
        return render_template("cases/form.html", form=form, case=case), 400
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.app_template_global("case_dashboard")
def case_dashboard(user) -> dict:
    """The home page: the user's open cases and their upcoming/overdue deadlines."""
    from tracker.access import has_permission

    if not has_permission(user, Permission.CASE_VIEW):
        return {"rows": [], "upcoming": [], "overdue": [], "shown": False}
    cases = list(db.session.execute(
        visible_cases(user).where(Case.status != CaseStatus.ARCHIVED)
        .order_by(Case.updated_at.desc(), Case.id.desc()).limit(50)).scalars().unique())
    rows = case_rows(cases)
    overdue, upcoming = [], []
    for row in rows:
        for d in row["deadlines"]:
            if d.overdue:
                overdue.append((row["case"], d))
            elif d.due is not None and d.met is None and d.due >= ps.today() and d.code != dl.MIN_NEGOTIATION:
                upcoming.append((row["case"], d))
    upcoming.sort(key=lambda pair: pair[1].due)
    overdue.sort(key=lambda pair: pair[1].due)
    return {"rows": rows[:10], "upcoming": upcoming[:10], "overdue": overdue, "shown": True}
