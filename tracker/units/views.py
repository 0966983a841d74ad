"""The unit register's page: the units, a form for a new one, retire and reinstate."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.errors import DomainError
from tracker.i18n import gettext as _
from tracker.units import queries, services
from tracker.units.forms import UnitForm
from tracker.units.models import OrganisationUnit
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("units", __name__, url_prefix="/admin/units")

Page = tuple[str, int]


def _page(form: UnitForm, status: int = 200, action_error: str | None = None) -> Page:
    return render_template("units/index.html", form=form, units=queries.all_units(),
                           action_error=action_error), status


@bp.route("", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def index() -> Response | Page:
    """Every unit, and a form for a new one."""
    form = UnitForm()
    if not form.validate_on_submit():
        return _page(form, 400 if request.method == "POST" else 200)
    try:
        unit = services.add_unit(current_actor(), form.name.data or "")
    except DomainError as error:
        apply_domain_error(form, error)
        return _page(form, 400)
    flash(_("Enheten %(name)s är tillagd.", name=unit.name), "success")
    return redirect(url_for("units.index"))


def _set_active(unit_id: int, active: bool) -> Response | Page:
    unit = load_or_404(OrganisationUnit, unit_id)
    if not CsrfForm().validate_on_submit():
        return _page(UnitForm(formdata=None), 400, _("Formuläret har gått ut. Försök igen."))
    services.set_unit_active(current_actor(), unit, active)
    flash(_("Enheten %(name)s erbjuds igen för nya val.", name=unit.name) if active else
          _("Enheten %(name)s erbjuds inte längre för nya val. Ärenden behåller den.", name=unit.name), "success")
    return redirect(url_for("units.index"))


@bp.post("/<int:unit_id>/retire")
@requires(Permission.USERS_MANAGE)
def retire(unit_id: int) -> Response | Page:
    """Stop offering the unit (cases that name it keep it)."""
    return _set_active(unit_id, False)


@bp.post("/<int:unit_id>/reinstate")
@requires(Permission.USERS_MANAGE)
def reinstate(unit_id: int) -> Response | Page:
    """Offer a retired unit again."""
    return _set_active(unit_id, True)
