"""Reads for the risk assessment page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.risk import policy
from tracker.risk.models import RiskAssessment


def assessment_for(case: Case) -> RiskAssessment | None:
    """The case's risk assessment (with its objections), or None."""
    return db.session.execute(
        select(RiskAssessment).where(RiskAssessment.case_id == case.id)).scalars().unique().first()


@dataclass(frozen=True)
class RiskView:
    """The case's assessment and which of the page's actions the user may take now."""

    case_id: int
    assessment: RiskAssessment | None
    can_create: bool
    can_cosign: bool
    can_object: bool
    can_waive: bool


def risk_view(user: User, case: Case) -> RiskView:
    """The assessment (with its objections) and what `user` may do with it."""
    assessment = assessment_for(case)
    pending = assessment is not None and not assessment.is_cosigned
    return RiskView(
        case_id=case.id,
        assessment=assessment,
        can_create=assessment is None and policy.can_record_assessment(user, case),
        can_cosign=pending and policy.can_cosign_risk(user, case),
        can_object=assessment is not None and policy.can_object(user, case),
        can_waive=pending and assessment is not None and not assessment.is_waived and policy.can_waive(user, case),
    )
