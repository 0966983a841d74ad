"""Steering-group membership; a membership row is never deleted, it gets `left_at`."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Organisation, User
from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class Party(StrEnum):
    EMPLOYER = "employer"
    PERSONNEL = "personnel"


class MemberRole(StrEnum):
    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"
    SIGNATORY = "signatory"
    SAFETY_REPRESENTATIVE = "safety_representative"


class SteeringMember(Model):
    __tablename__ = "steering_members"
    __table_args__ = (Index("ix_steering_members_user_active", "user_id", "left_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 20))
    role: Mapped[MemberRole] = mapped_column(StrEnumType(MemberRole, 30), default=MemberRole.MEMBER)
    union_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Names of the case's units this member represents.
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
    union: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def is_current(self) -> bool:
        return self.left_at is None
