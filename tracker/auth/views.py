"""Login, logout, own account and language choice."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.auth import services
from tracker.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from tracker.auth.models import User
from tracker.auth.session_timeout import pop_signed_out_message, start_session
from tracker.errors import DomainError, TooManyAttempts, ValidationFailed
from tracker.i18n import gettext as _
from tracker.i18n import locale_for, offered
from tracker.web.access import authenticated, current_actor, public
from tracker.web.forms import CsrfForm, apply_domain_error
from tracker.web.redirects import safe_next
from tracker.web.transaction import persist_on_failure

bp = Blueprint("auth", __name__)

Page = tuple[str, int]


def _start_session(user: User) -> None:
    chosen_locale = session.get("locale")
    session.clear()  # nothing from before the login survives, except the language chosen
    login_user(user)
    start_session()
    if user.locale or chosen_locale:
        session["locale"] = user.locale or chosen_locale


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | Page:
    """The login form; a failed attempt is kept (throttling) although the answer is 401/429."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("auth/login.html", form=form, signed_out=pop_signed_out_message()), 200
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    try:
        user = services.authenticate(form.email.data or "", form.password.data or "",
                                     address=request.remote_addr or "-")
    except (TooManyAttempts, ValidationFailed) as error:
        persist_on_failure()  # the attempt and its audit event count towards the throttle
        form.form_errors.append(error.message)
        return render_template("auth/login.html", form=form), 429 if isinstance(error, TooManyAttempts) else 401
    _start_session(user)
    return redirect(safe_next(form.next.data) or url_for("home.index"))


@bp.post("/logout")
@authenticated
def logout() -> Response:
    """End every session of the user."""
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("home.index"))
    services.logout(current_actor())
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@authenticated
def account() -> Response | Page:
    """The user's own account: roles, password change, language."""
    user = current_actor()
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data or "", form.password.data or "")
        except DomainError as error:
            apply_domain_error(form, error)
            status = 400
        else:
            # The new token ends every other session; this one logs in again with it.
            login_user(user)
            flash(_("Lösenordet är bytt. Alla andra inloggningar har avslutats."), "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    language_form = LanguageForm(locale=locale_for(user), next=url_for("auth.account"))
    return render_template("auth/account.html", form=form, language_form=language_form), status


@bp.get("/language/<code>")
@public
def switch_language(code: str) -> Response:
    """The language switch's links ("In English", "Suomeksi"): show the site in that language from
    now on (remembered on the account when signed in), then return to the page. A link followed
    from another site (Sec-Fetch-Site: cross-site) only returns: no one else picks your language."""
    target = safe_next(request.args.get("next")) or url_for("home.index")
    if offered(code) != code:
        abort(404)
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return redirect(target)
    session["locale"] = code
    if current_user.is_authenticated and current_actor().locale != code:
        services.set_locale(current_actor(), code)
    return redirect(target)


@bp.post("/language")
@public
def language() -> Response:
    """Switch the language (remembered on the account when logged in)."""
    form = LanguageForm()
    target = safe_next(form.next.data) or url_for("home.index")
    if not form.validate_on_submit():
        flash(_("Språket kunde inte ändras."), "error")
        return redirect(target)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(current_actor(), form.locale.data or "")
    return redirect(target)
