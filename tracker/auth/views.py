"""Login, logout, own account and language choice."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tracker.access import authenticated, public
from tracker.auth import services
from tracker.auth.forms import EmptyForm, LanguageForm, LoginForm, PasswordChangeForm
from tracker.errors import TooManyAttempts, ValidationFailed
from tracker.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, address=request.remote_addr or "-")
        except TooManyAttempts as error:
            db.session.commit()
            form.form_errors.append(error.message)
            status = 429
        except ValidationFailed as error:
            db.session.commit()
            form.form_errors.append(error.message)
            status = 401
        else:
            db.session.commit()
            chosen_locale = session.get("locale")
            session.clear()  # nothing from before the login survives, except the language chosen
            login_user(user)
            if user.locale or chosen_locale:
                session["locale"] = user.locale or chosen_locale
            return redirect(_safe_next(form.next.data) or url_for("home.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@authenticated
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    services.logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@authenticated
def account():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(current_user._get_current_object(), form.current_password.data, form.password.data)
        except ValidationFailed as error:
            db.session.rollback()
            getattr(form, error.details.get("field", "password")).errors.append(error.message)
            status = 400
        else:
            db.session.commit()
            # The new token ends every other session; this one logs in again with it.
            login_user(current_user._get_current_object())
            flash(_("Lösenordet är bytt. Alla andra inloggningar har avslutats."), "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    language_form = LanguageForm(locale=current_user.locale or "sv")
    return render_template("auth/account.html", form=form, language_form=language_form), status


@bp.post("/language")
@public
def language():
    form = LanguageForm()
    target = _safe_next(form.next.data) or url_for("home.index")
    if not form.validate_on_submit():
        flash(_("Språket kunde inte ändras."), "error")
        return redirect(target)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(current_user._get_current_object(), form.locale.data)
        db.session.commit()
    return redirect(target)
