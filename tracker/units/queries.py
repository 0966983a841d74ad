"""Reads of the unit register."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from tracker.extensions import db
from tracker.units.models import OrganisationUnit


def all_units() -> list[OrganisationUnit]:
    """Every unit, those in use first, by name."""
    return list(db.session.execute(
        select(OrganisationUnit).order_by(OrganisationUnit.active.desc(), OrganisationUnit.name)).scalars())


def unit_choices(keep: Iterable[str] = ()) -> list[str]:
    """The names a case's units are chosen from: the units in use, and `keep` (a case's own units,
    even retired or recorded before the register), by name."""
    names = set(db.session.execute(select(OrganisationUnit.name).where(OrganisationUnit.active)).scalars())
    return sorted(names | set(keep), key=str.casefold)
