"""Steering group pages: members now and over time; HR adds and removes members."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.auth.models import Organisation, User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.steering import queries, services
from tracker.steering.forms import EndMembershipForm, MemberForm, member_form, panel_forms
from tracker.steering.models import SteeringMember
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.confirm import Confirmation, render_confirmation
from tracker.web.forms import apply_domain_error

bp = Blueprint("steering", __name__)

# The service names the person and the union; the form's fields are their ids.
_FORM_FIELDS = {"user": "user_id", "union": "union_id"}


def _render(case: Case, form: MemberForm | None = None, status: int = 200) -> tuple[str, int]:
    panel = queries.panel(current_actor(), case, with_choices=True)
    forms = panel_forms(panel)
    return render_template("steering/members.html", case=case, panel=panel, form=form or forms.add_member,
                           end_form=forms.end_membership), status


@bp.route("/cases/<int:case_id>/steering")
@requires(Permission.CASE_VIEW)
def members(case_id: int) -> tuple[str, int]:
    return _render(load_or_404(Case, case_id, can_view_case))


@bp.post("/cases/<int:case_id>/steering/members")
@requires(Permission.PROCEDURE_RUN)
def add_member(case_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    form = member_form(queries.member_choices(case), submitted=True)
    if not form.validate_on_submit():
        return _render(case, form, 400)
    user = db.session.get(User, form.user_id.data)
    union = db.session.get(Organisation, form.union_id.data) if form.union_id.data else None
    try:
        if user is None:
            raise ValidationFailed(_("Användaren finns inte eller är inte aktiv."), field="user")
        member = services.add_member(current_actor(), case, user, party=form.party_for(user), role=form.role.data,
                                     union=union, units=form.units.data or [])
    except ValidationFailed as error:
        field = str(error.details.get("field") or "")
        if field in _FORM_FIELDS:
            error.details["field"] = _FORM_FIELDS[field]
        apply_domain_error(form, error)
        return _render(case, form, 400)
    flash(_("%(name)s har lagts till i styrnings- och uppföljningsgruppen.", name=member.user.name), "success")
    return redirect(url_for("steering.members", case_id=case.id))


def _member_of_visible_case(user: User, member: SteeringMember) -> bool:
    case = db.session.get(Case, member.case_id)
    return case is not None and can_view_case(user, case)


def _end_confirmation(case: Case, member: SteeringMember, form: EndMembershipForm) -> Confirmation:
    return Confirmation(
        title=_("Avsluta medlemskapet för %(name)s?", name=member.user.name),
        consequences=[_("%(name)s lämnar styrnings- och uppföljningsgruppen i dag och kan inte längre se ärendet "
                        "som medlem eller godkänna protokoll.", name=member.user.name),
                      _("Medlemskapet finns kvar under tidigare medlemmar; ett avslutat medlemskap kan inte "
                        "återupptas, bara ersättas av ett nytt.")],
        action=url_for("steering.end_member", case_id=case.id, member_id=member.id),
        button=_("Avsluta medlemskapet"), back_url=url_for("steering.members", case_id=case.id),
        back_text=_("Tillbaka till styrnings- och uppföljningsgruppen"), form=form, warning=True,
        context_title=f"{case.diary_number} {case.title}")


@bp.route("/cases/<int:case_id>/steering/members/<int:member_id>/end", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def end_member(case_id: int, member_id: int) -> Response | tuple[str, int]:
    """GET: the confirmation page (the consequence, an optional reason); POST: end the membership."""
    member = load_or_404(SteeringMember, member_id, _member_of_visible_case)
    if member.case_id != case_id:
        abort(404)
    case = db.session.get(Case, member.case_id)
    assert case is not None
    if request.method == "GET":
        if member.left_at is not None:
            abort(404)
        return render_confirmation(_end_confirmation(case, member, EndMembershipForm(formdata=None)))
    form = EndMembershipForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("Formuläret kunde inte skickas."), "error")
        return _render(case, status=400)
    services.end_membership(current_actor(), member, reason=form.reason.data or "")
    flash(_("%(name)s har lämnat styrnings- och uppföljningsgruppen.", name=member.user.name), "success")
    return redirect(url_for("steering.members", case_id=case.id))
