"""An organisational unit of the employer (a school, the home care, a kitchen)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class OrganisationUnit(Model):
    """One unit in the register. Cases keep the unit's name (`case_units`), so renaming or
    retiring a unit never rewrites what a case recorded; a retired unit is no longer offered."""

    __tablename__ = "organisation_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
