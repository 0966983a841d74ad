"""Meetings of a case, their attendees, and minutes with immutable versions and signatures."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.steering.models import Party
from tracker.timeutil import UTCDateTime, utcnow


class Meeting(Model):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_case_starts", "case_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    # A video-meeting link, when the meeting is (also) online.
    link: Mapped[str] = mapped_column(String(500), default="")
    # Stage codes discussed (subset of tracker.procedure.stages.STAGES, in stage order).
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped on every edit: the .ics SEQUENCE, so calendars replace the old invitation.
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendee.id")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class MeetingAttendee(Model):
    """A planned invitee (from the steering group when scheduled); `present` recorded afterwards."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("steering_members.id"))
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 20))
    # None until attendance is recorded; then True (present) or False (absent).
    present: Mapped[bool | None] = mapped_column()

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship(lazy="joined")


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    DISPUTED = "disputed"


class Minutes(Model):
    """The minutes of one meeting: a status over a chain of immutable versions."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[MinutesStatus] = mapped_column(StrEnumType(MinutesStatus, 30), default=MinutesStatus.DRAFT)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_versions.id", use_alter=True, name="fk_minutes_current_version"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    current_version: Mapped[MinutesVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)

    @property
    def is_locked(self) -> bool:
        return self.status == MinutesStatus.APPROVED


class MinutesVersion(Model):
    """One saved text of the minutes. Never updated: editing saves a new version."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    # SHA-256 (hex) of the exact UTF-8 bytes of `body`.
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    minutes: Mapped[Minutes] = relationship(foreign_keys=[minutes_id])


class SignatureDecision(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"


class MinutesSignature(Model):
    """A signatory's approval or refusal of one specific version, bound to its hash.

    Voided (never deleted) when a newer version is saved."""

    __tablename__ = "minutes_signatures"
    __table_args__ = (Index("ix_minutes_signatures_version", "version_id", "voided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id", ondelete="CASCADE"))
    # The hash of the version as the signatory saw it; must equal the version's hash.
    sha256: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 20))
    decision: Mapped[SignatureDecision] = mapped_column(StrEnumType(SignatureDecision, 20))
    objection: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signer: Mapped[User] = relationship(lazy="joined")
    version: Mapped[MinutesVersion] = relationship()

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
