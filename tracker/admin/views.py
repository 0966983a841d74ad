"""User administration: list, create, roles, activation and password reset.

Administrators run the system; nothing here reads or links to case content.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.access import Permission, requires
from tracker.admin.forms import NEW_ORGANISATION, OrganisationForm, PasswordResetForm, RolesForm, UserCreateForm
from tracker.auth import services
from tracker.auth.forms import EmptyForm
from tracker.auth.models import Organisation, User
from tracker.errors import ValidationFailed
from tracker.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor() -> User:
    return current_user._get_current_object()


def _attach_error(form, error: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error next to the field it names, or above the form."""
    name = error.details.get("field")
    name = (aliases or {}).get(name, name)
    target = getattr(form, name, None) if name else None
    if target is not None and hasattr(target, "errors"):
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        target.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def _organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


@bp.get("/users")
@requires(Permission.USERS_MANAGE)
def users():
    rows = db.session.execute(select(User).order_by(User.active.desc(), User.name)).scalars().unique().all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def user_new():
    organisations = _organisations()
    form = UserCreateForm(organisations=organisations)
    status = 200
    if form.validate_on_submit():
        try:
            if form.organisation.data == NEW_ORGANISATION:
                if not (form.new_organisation.data or "").strip():
                    raise ValidationFailed(_("Ange den nya organisationens namn."), field="new_organisation")
                org = services.get_or_create_organisation(
                    _actor(), form.new_organisation.data, form.organisation_kind.data)
            else:
                org = db.session.get(Organisation, int(form.organisation.data))
                if org is None:
                    raise ValidationFailed(_("Välj en organisation."), field="organisation")
            user = services.create_user(
                _actor(), email=form.email.data, name=form.name.data, organisation=org,
                roles=form.roles.data or [], password=form.password.data)
        except ValidationFailed as error:
            db.session.rollback()
            _attach_error(form, error, {"kind": "organisation_kind"} | (
                {"organisation": "new_organisation"} if form.organisation.data == NEW_ORGANISATION else {}))
            status = 400
        else:
            db.session.commit()
            flash(_("Användaren %(email)s är skapad.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_new.html", form=form), status


def _detail(user: User, *, roles_form=None, password_form=None, action_error: str | None = None,
            status: int = 200):
    roles_form = roles_form or RolesForm(roles=sorted(str(r) for r in user.roles), formdata=None)
    password_form = password_form or PasswordResetForm(formdata=None)
    return render_template("admin/user_detail.html", user=user, roles_form=roles_form,
                           password_form=password_form, action_form=EmptyForm(),
                           action_error=action_error), status


@bp.get("/users/<int:user_id>")
@requires(Permission.USERS_MANAGE)
def user_detail(user_id: int):
    return _detail(services.get_user(user_id))


@bp.post("/users/<int:user_id>/roles")
@requires(Permission.USERS_MANAGE)
def user_roles(user_id: int):
    user = services.get_user(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        return _detail(user, roles_form=form, status=400)
    try:
        services.set_roles(_actor(), user, form.roles.data or [])
    except ValidationFailed as error:
        db.session.rollback()
        _attach_error(form, error)
        return _detail(user, roles_form=form, status=400)
    db.session.commit()
    flash(_("Rollerna är sparade."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@requires(Permission.USERS_MANAGE)
def user_password(user_id: int):
    user = services.get_user(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _detail(user, password_form=form, status=400)
    try:
        services.reset_password(_actor(), user, form.password.data)
    except ValidationFailed as error:
        db.session.rollback()
        _attach_error(form, error)
        return _detail(user, password_form=form, status=400)
    db.session.commit()
    flash(_("Lösenordet är återställt. Användarens alla inloggningar har avslutats."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _set_active(user_id: int, active: bool):
    user = services.get_user(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return _detail(user, action_error=_("Formuläret har gått ut. Försök igen."), status=400)
    try:
        services.set_active(_actor(), user, active)
    except ValidationFailed as error:
        db.session.rollback()
        return _detail(user, action_error=error.message, status=400)
    db.session.commit()
    flash(_("Kontot är aktiverat.") if active else _("Kontot är inaktiverat och alla inloggningar avslutade."),
          "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@requires(Permission.USERS_MANAGE)
def user_deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@requires(Permission.USERS_MANAGE)
def user_activate(user_id: int):
    return _set_active(user_id, True)


@bp.route("/organisations", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def organisations():
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            org = services.create_organisation(_actor(), form.name.data, form.kind.data)
        except ValidationFailed as error:
            db.session.rollback()
            _attach_error(form, error)
            status = 400
        else:
            db.session.commit()
            flash(_("Organisationen %(name)s är skapad.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/organisations.html", form=form,
                           organisations=services.list_organisations()), status
