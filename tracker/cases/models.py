"""A case: one planned change, walked through the cooperation procedure."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class ChangeKind(StrEnum):
    REORGANISATION = "reorganisation"
    MERGER = "merger"
    OUTSOURCING = "outsourcing"
    CUTS = "cuts"
    OTHER = "other"


class CaseStatus(StrEnum):
    ACTIVE = "active"
    DECIDED = "decided"
    ARCHIVED = "archived"


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_stage", "status", "current_stage"),
        # The case list's order (created_at DESC, id DESC) with LIMIT: see bench/m_scale.py.
        Index("ix_cases_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    diary_number: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    change_kind: Mapped[ChangeKind] = mapped_column(StrEnumType(ChangeKind, 30), default=ChangeKind.REORGANISATION)
    staff_affected: Mapped[int] = mapped_column(default=0)
    # Dismissals, lay-offs or reduced hours possible: triggers the written-proposal rule.
    may_reduce_staff: Mapped[bool] = mapped_column(default=False)
    is_large: Mapped[bool] = mapped_column(default=False)
    planned_decision_date: Mapped[date | None] = mapped_column(Date)
    decision_body: Mapped[str] = mapped_column(String(200), default="")
    profile_code: Mapped[str] = mapped_column(String(50))
    profile_version: Mapped[str] = mapped_column(String(20), default="1")
    # The case's language (sv, sv_FI, fi, en): the record's default language. Set at registration.
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")
    responsible_hr_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(StrEnumType(CaseStatus, 20), default=CaseStatus.ACTIVE)
    current_stage: Mapped[str] = mapped_column(String(40), default="early_information")
    non_compliance: Mapped[bool] = mapped_column(default=False, index=True)
    # se-mbl urgent decision (synnerliga skäl): recorded cause; a negotiation is then mandatory
    # before the case can be archived.
    urgent_reason: Mapped[str | None] = mapped_column(Text)
    urgent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    urgent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    responsible_hr: Mapped[User] = relationship(foreign_keys=[responsible_hr_id], lazy="joined")
    units: Mapped[list[CaseUnit]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseUnit.name", lazy="selectin"
    )

    @property
    def is_archived(self) -> bool:
        return self.status == CaseStatus.ARCHIVED

    @property
    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    def __repr__(self) -> str:
        return f"<Case {self.diary_number}>"


class CaseUnit(Model):
    """A unit affected by the change (filterable; each must be represented in a large case)."""

    __tablename__ = "case_units"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)

    case: Mapped[Case] = relationship(back_populates="units")


class DiaryCounter(Model):
    """The last diary number issued per year: numbers are gap-free and never reused."""

    __tablename__ = "diary_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class CaseDecisionMaker(Model):
    """A decision maker assigned to a case by HR (a case role, not a steering membership).

    History is kept: ending an assignment sets `ended_at`; a new assignment is a new row."""

    __tablename__ = "case_decision_makers"
    __table_args__ = (Index("ix_case_decision_makers_case_current", "case_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id], lazy="joined")
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id], lazy="joined")

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class MaterialChange(Model):
    """A change of a case's material facts (affected posts, units, kind of change) after its
    negotiation was closed, and what HR chose to do about it (reopen, or keep the closing)."""

    __tablename__ = "material_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # "reopened" or "kept"; None while the warning waits for a choice.
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_open(self) -> bool:
        return self.resolution is None
