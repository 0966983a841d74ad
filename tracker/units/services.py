"""Changes to the unit register, each with its audit event (the caller's transaction commits)."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.units.models import OrganisationUnit
from tracker.units.policy import can_manage_units

MAX_NAME = 200


def _require(actor: User | None) -> None:
    if actor is not None and not can_manage_units(actor):
        raise PermissionDenied(_("Bara administratörer kan ändra enhetsregistret."))


def add_unit(actor: User | None, name: str) -> OrganisationUnit:
    """A new unit in the register; refuses an empty, too long or already registered name (in any case)."""
    _require(actor)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Ange enhetens namn."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationFailed(_("Namnet får vara högst %(n)d tecken.", n=MAX_NAME), field="name")
    taken = db.session.execute(select(OrganisationUnit.id).where(
        func.lower(OrganisationUnit.name) == name.lower())).first()
    if taken:
        raise ValidationFailed(_("Enheten %(name)s finns redan i registret.", name=name), field="name")
    unit = OrganisationUnit(name=name)
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.added", unit, {"name": name})
    return unit


def set_unit_active(actor: User | None, unit: OrganisationUnit, active: bool) -> OrganisationUnit:
    """Retire a unit (no longer offered for new choices; cases keep it) or take it into use again."""
    _require(actor)
    if unit.active != active:
        unit.active = active
        record(actor, "unit.reinstated" if active else "unit.retired", unit, {"name": unit.name})
    return unit
