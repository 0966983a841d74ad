"""Procedure records: one StageRecord per case, stage and round; positions; overrides;
central-negotiation requests."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.procedure.enums import DeadlineCode, EndMode, Stage, StageStatus
from tracker.steering.models import Party
from tracker.timeutil import UTCDateTime, utcnow

__all__ = ["CentralNegotiationRequest", "DeadlineOverride", "EndMode", "StagePosition", "StageRecord",
           "StageStatus"]


class StageRecord(Model):
    """One round of one stage of a case. Reopening freezes the round (`superseded_at`) and
    starts a new one; frozen rounds stay visible."""

    __tablename__ = "stage_records"
    __table_args__ = (
        UniqueConstraint("case_id", "stage_code", "round"),
        Index("ix_stage_records_case_current", "case_id", "superseded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    stage_code: Mapped[Stage] = mapped_column(StrEnumType(Stage, 40))
    round: Mapped[int] = mapped_column(default=1)
    status: Mapped[StageStatus] = mapped_column(StrEnumType(StageStatus, 20), default=StageStatus.PENDING)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Stage-specific fields (see tracker.procedure.services.content.CONTENT_FIELDS).
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Typed dates the deadline engine needs.
    proposal_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    negotiation_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_mode: Mapped[EndMode | None] = mapped_column(StrEnumType(EndMode, 30))
    decision_date: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    # Reopening: this round was frozen when / by whom / why.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")
    positions: Mapped[list[StagePosition]] = relationship(
        back_populates="stage_record", order_by="StagePosition.id", lazy="selectin")

    @property
    def is_frozen(self) -> bool:
        return self.superseded_at is not None


class StagePosition(Model):
    """A party's position in one stage round (dissent recorded explicitly)."""

    __tablename__ = "stage_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_record_id: Mapped[int] = mapped_column(ForeignKey("stage_records.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 20))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    dissent: Mapped[bool] = mapped_column(default=False)
    # A final position at the end of negotiations (closing stage).
    is_final: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    stage_record: Mapped[StageRecord] = relationship(back_populates="positions")


class DeadlineOverride(Model):
    """A decision maker acted before a deadline, with a written reason: a non-compliance."""

    __tablename__ = "deadline_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    deadline_code: Mapped[DeadlineCode] = mapped_column(StrEnumType(DeadlineCode, 50))
    reason: Mapped[str] = mapped_column(Text)
    earliest: Mapped[date | None] = mapped_column(Date)
    # The case round (1 + reopenings before it) the override belongs to; None on rows from before
    # rounds were recorded (their round follows from `at`).
    round: Mapped[int | None] = mapped_column()
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")


class CentralNegotiationRequest(Model):
    """se-mbl: the personnel side asks for central negotiation after a local disagreement."""

    __tablename__ = "central_negotiation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Timely when made on or before the last day of the window; a late request does not lock.
    timely: Mapped[bool] = mapped_column(default=True)
    window_ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")

    @property
    def is_pending(self) -> bool:
        return self.ended_at is None
