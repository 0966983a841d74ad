"""The written risk assessment of a case (effects stage), its co-signature, objections and waiver."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class RiskAssessment(Model):
    """One per case: created by HR, co-signed by a safety representative, or waived with a reason."""

    __tablename__ = "risk_assessments"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("documents.id", ondelete="SET NULL"),
                                                    nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cosigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cosigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    cosigned_by: Mapped[User | None] = relationship(foreign_keys=[cosigned_by_id], lazy="joined")
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id], lazy="joined")
    objections: Mapped[list[RiskAssessmentObjection]] = relationship(
        back_populates="assessment", order_by="RiskAssessmentObjection.id", lazy="selectin")

    @property
    def is_cosigned(self) -> bool:
        return self.cosigned_at is not None

    @property
    def is_waived(self) -> bool:
        return bool(self.waiver_reason)


class RiskAssessmentObjection(Model):
    """An objection by a personnel member to the assessment's content (kept and exported)."""

    __tablename__ = "risk_assessment_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("risk_assessments.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[RiskAssessment] = relationship(back_populates="objections")
    author: Mapped[User] = relationship(lazy="joined")
