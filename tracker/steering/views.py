"""Steering group pages: members now and over time; HR adds and removes members."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.access import Permission, requires
from tracker.auth.models import Organisation, OrganisationKind, Role, User, UserRole
from tracker.cases.models import Case
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.steering import policy, services
from tracker.steering.forms import EndMembershipForm, MemberForm, member_role_label, party_label
from tracker.steering.models import SteeringMember
from tracker.steering.web import case_url, field_error

bp = Blueprint("steering", __name__)

ELIGIBLE_ROLES = (Role.HR_OFFICER, Role.DECISION_MAKER, Role.UNION_REP, Role.SAFETY_REP)


def _member_form(case: Case, formdata=None) -> MemberForm:
    users = db.session.execute(
        select(User).where(User.active.is_(True), User.id.in_(
            select(UserRole.user_id).where(UserRole.role.in_([str(r) for r in ELIGIBLE_ROLES]))))
        .order_by(User.name)).scalars().unique().all()
    unions = db.session.execute(
        select(Organisation).where(Organisation.kind == OrganisationKind.UNION).order_by(Organisation.name)
    ).scalars().all()
    kwargs = {} if formdata is not None else {"formdata": None}
    return MemberForm(users=users, unions=unions, units=case.unit_names, prefix="member", **kwargs)


def panel_data(case: Case) -> dict:
    """What the steering panel and page show (a fixed number of queries, cached per request)."""
    cache = g.setdefault("_steering_panel", {})
    if case.id not in cache:
        members = services.all_members(case)
        cache[case.id] = {
            "current": [m for m in members if m.left_at is None],
            "former": [m for m in members if m.left_at is not None],
            "can_manage": policy.can_manage_members(current_user, case),
        }
    return cache[case.id]


def _render(case: Case, form: MemberForm | None = None, status: int = 200):
    data = panel_data(case)
    if form is None and data["can_manage"]:
        form = _member_form(case)
    return render_template("steering/members.html", case=case, panel=data, form=form,
                           end_form=EndMembershipForm(formdata=None), case_url=case_url(case)), status


@bp.route("/cases/<int:case_id>/steering")
@requires(Permission.CASE_VIEW)
def members(case_id: int):
    case = policy.load_case_or_404(case_id)
    return _render(case)


@bp.post("/cases/<int:case_id>/steering/members")
@requires(Permission.PROCEDURE_RUN)
def add_member(case_id: int):
    case = policy.load_case_or_404(case_id)
    form = _member_form(case, formdata=True)
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        union = db.session.get(Organisation, form.union_id.data) if form.union_id.data else None
        try:
            if user is None:
                raise ValidationFailed(_("Användaren finns inte eller är inte aktiv."), field="user_id")
            member = services.add_member(current_user, case, user, party=form.party.data, role=form.role.data,
                                         union=union, units=form.units.data or [])
        except ValidationFailed as error:
            db.session.rollback()
            if error.details.get("field") == "user":
                error.details["field"] = "user_id"
            if error.details.get("field") == "union":
                error.details["field"] = "union_id"
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s har lagts till i styrnings- och uppföljningsgruppen.", name=member.user.name), "success")
            return redirect(url_for("steering.members", case_id=case.id))
    return _render(case, form, 400)


@bp.post("/cases/<int:case_id>/steering/members/<int:member_id>/end")
@requires(Permission.PROCEDURE_RUN)
def end_member(case_id: int, member_id: int):
    case = policy.load_case_or_404(case_id)
    member = db.session.get(SteeringMember, member_id)
    if member is None or member.case_id != case.id:
        return render_template("errors/error.html", status=404, title=_("Sidan hittades inte"),
                               explanation=_("Medlemskapet finns inte."), reasons=[]), 404
    form = EndMembershipForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("Formuläret kunde inte skickas."), "error")
        return _render(case, status=400)
    services.end_membership(current_user, member, reason=form.reason.data or "")
    db.session.commit()
    flash(_("%(name)s har lämnat styrnings- och uppföljningsgruppen.", name=member.user.name), "success")
    return redirect(url_for("steering.members", case_id=case.id))


@bp.app_template_global()
def steering_panel(case: Case) -> dict:
    """Template helper for templates/steering/_case_panel.html."""
    return panel_data(case)


@bp.app_template_global()
def steering_add_form(case: Case) -> MemberForm | None:
    return _member_form(case) if panel_data(case)["can_manage"] else None


bp.add_app_template_global(party_label, "party_label")
bp.add_app_template_global(member_role_label, "member_role_label")
