"""User administration: list, create, roles, activation and password reset.

Administrators run the system; nothing here reads or links to case content.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.admin import queries
from tracker.admin.forms import NEW_ORGANISATION, OrganisationForm, PasswordResetForm, RolesForm, UserCreateForm
from tracker.admin.policy import can_change_roles, can_deactivate, can_reset_password
from tracker.auth import services
from tracker.auth.models import Organisation, User
from tracker.errors import DomainError, ValidationFailed
from tracker.i18n import gettext as _
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.confirm import Confirmation, render_confirmation
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("admin", __name__, url_prefix="/admin")

Page = tuple[str, int]


@bp.get("/users")
@requires(Permission.USERS_MANAGE)
def users() -> str:
    """Every account."""
    return render_template("admin/users.html", users=queries.all_users())


def _chosen_organisation(actor: User, form: UserCreateForm) -> Organisation:
    """The organisation picked in the form, or the new one it names (created)."""
    if form.organisation.data == NEW_ORGANISATION:
        if not (form.new_organisation.data or "").strip():
            raise ValidationFailed(_("Ange den nya organisationens namn."), field="new_organisation")
        return services.get_or_create_organisation(actor, form.new_organisation.data or "",
                                                   form.organisation_kind.data or "")
    org = queries.organisation(int(form.organisation.data or 0))
    if org is None:
        raise ValidationFailed(_("Välj en organisation."), field="organisation")
    return org


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def user_new() -> Response | Page:
    """Create an account (in an existing or a new organisation)."""
    form = UserCreateForm(organisations=queries.organisations_by_name())
    if request.method == "POST" and not form.validate_on_submit():
        return render_template("admin/user_new.html", form=form), 400
    if request.method == "POST":
        actor = current_actor()
        try:
            org = _chosen_organisation(actor, form)
            user = services.create_user(actor, email=form.email.data or "", name=form.name.data or "",
                                        organisation=org, roles=form.roles.data or [],
                                        password=form.password.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
            return render_template("admin/user_new.html", form=form), 400
        flash(_("Användaren %(email)s är skapad.", email=user.email), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_new.html", form=form), 200


def _detail(user: User, *, roles_form: RolesForm | None = None, password_form: PasswordResetForm | None = None,
            action_error: str | None = None, status: int = 200) -> Page:
    actor = current_actor()
    roles_form = roles_form or RolesForm(roles=sorted(str(r) for r in user.roles), formdata=None)
    password_form = password_form or PasswordResetForm(formdata=None)
    return render_template("admin/user_detail.html", user=user, roles_form=roles_form,
                           password_form=password_form, action_form=CsrfForm(), action_error=action_error,
                           may_change_roles=can_change_roles(actor, user),
                           may_reset_password=can_reset_password(actor, user),
                           may_deactivate=can_deactivate(actor, user)), status


def _user(user_id: int) -> User:
    return load_or_404(User, user_id)


@bp.get("/users/<int:user_id>")
@requires(Permission.USERS_MANAGE)
def user_detail(user_id: int) -> Page:
    """One account: roles, password reset, activation."""
    return _detail(_user(user_id))


@bp.post("/users/<int:user_id>/roles")
@requires(Permission.USERS_MANAGE)
def user_roles(user_id: int) -> Response | Page:
    """Replace the account's roles."""
    user = _user(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        return _detail(user, roles_form=form, status=400)
    try:
        services.set_roles(current_actor(), user, form.roles.data or [])
    except DomainError as error:
        apply_domain_error(form, error)
        return _detail(user, roles_form=form, status=400)
    flash(_("Rollerna är sparade."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@requires(Permission.USERS_MANAGE)
def user_password(user_id: int) -> Response | Page:
    """Set a new password for the account (ends its sessions)."""
    user = _user(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _detail(user, password_form=form, status=400)
    try:
        services.reset_password(current_actor(), user, form.password.data or "")
    except DomainError as error:
        apply_domain_error(form, error)
        return _detail(user, password_form=form, status=400)
    flash(_("Lösenordet är återställt. Användarens alla inloggningar har avslutats."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _set_active(user_id: int, active: bool) -> Response | Page:
    user = _user(user_id)
    if not CsrfForm().validate_on_submit():
        return _detail(user, action_error=_("Formuläret har gått ut. Försök igen."), status=400)
    try:
        services.set_active(current_actor(), user, active)
    except DomainError as error:
        return _detail(user, action_error=error.message, status=error.status_code)
    flash(_("Kontot är aktiverat.") if active else _("Kontot är inaktiverat och alla inloggningar avslutade."),
          "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def user_deactivate(user_id: int) -> Response | Page:
    """GET: the confirmation page; POST: deactivate the account and end its sessions."""
    if request.method == "GET":
        user = _user(user_id)
        back = url_for("admin.user_detail", user_id=user.id)
        if not user.active or not can_deactivate(current_actor(), user):
            return redirect(back)  # the account page says why (inactive already, or oneself)
        return render_confirmation(Confirmation(
            title=_("Inaktivera kontot för %(name)s?", name=user.name),
            consequences=[_("Kontot kan inte längre logga in, och alla dess pågående inloggningar avslutas "
                            "genast."),
                          _("Inget i ärendena tas bort: det personen har gjort står kvar i granskningsloggen. "
                            "Kontot kan aktiveras igen.")],
            action=url_for("admin.user_deactivate", user_id=user.id), button=_("Inaktivera kontot"),
            back_url=back, back_text=_("Tillbaka till %(name)s", name=user.name), warning=True,
            context_title=user.email))
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@requires(Permission.USERS_MANAGE)
def user_activate(user_id: int) -> Response | Page:
    """Let the account log in again."""
    return _set_active(user_id, True)


@bp.route("/organisations", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def organisations() -> Response | Page:
    """Every organisation, and a form for a new one."""
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            org = services.create_organisation(current_actor(), form.name.data or "", form.kind.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
            status = 400
        else:
            flash(_("Organisationen %(name)s är skapad.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/organisations.html", form=form,
                           organisations=queries.organisations_with_user_counts()), status
