"""Reads for the risk assessment page."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case, CaseStatus
from tracker.documents.models import DocumentVersion
from tracker.extensions import db
from tracker.risk import policy
from tracker.risk.models import RiskAssessment
from tracker.steering.models import Party, SteeringMember
from tracker.tasks import Task, TaskKind, app_path


def assessment_for(case: Case) -> RiskAssessment | None:
    """The case's risk assessment (with its objections), or None."""
    return db.session.execute(
        select(RiskAssessment).where(RiskAssessment.case_id == case.id)).scalars().unique().first()


@dataclass(frozen=True)
class SignedContent:
    """What the safety representative's signature covers: the summary's text and, when one is
    attached, the attached document's current version; `sha256` binds them together."""

    summary_sha256: str
    document_id: int | None
    document_version: int | None
    document_sha256: str | None
    sha256: str


def signed_content(assessment: RiskAssessment) -> SignedContent:
    """The content a co-signature covers, with its hashes (one query when a document is attached)."""
    summary_sha = hashlib.sha256(assessment.summary.encode("utf-8")).hexdigest()
    version = None
    if assessment.document_id is not None:
        version = db.session.execute(
            select(DocumentVersion).where(DocumentVersion.document_id == assessment.document_id)
            .order_by(DocumentVersion.number.desc()).limit(1)).scalar_one_or_none()
    parts = [f"summary:{summary_sha}"]
    if version is not None:
        parts.append(f"document:{assessment.document_id}:{version.number}:{version.sha256}")
    return SignedContent(summary_sha, assessment.document_id, version.number if version else None,
                         version.sha256 if version else None,
                         hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class RiskView:
    """The case's assessment and which of the page's actions the user may take now."""

    case_id: int
    assessment: RiskAssessment | None
    can_create: bool
    can_cosign: bool
    can_object: bool
    can_waive: bool
    signed: SignedContent | None  # what a co-signature covers (or covered), when there is an assessment


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
        signed=signed_content(assessment) if assessment is not None else None,
    )


def cosignatures_pending_for(user: User) -> list[Task]:
    """Risk assessments waiting for a co-signature that `user` may give: a safety representative
    on the personnel side of the case; neither signed nor waived. One query."""
    if not (user.has_role(Role.SAFETY_REP) and has_permission(user, Permission.RISK_COSIGN)):
        return []
    rows = db.session.execute(
        select(RiskAssessment.id, RiskAssessment.created_at, Case.id, Case.diary_number, Case.title)
        .join(Case, Case.id == RiskAssessment.case_id)
        .join(SteeringMember, (SteeringMember.case_id == Case.id) & (SteeringMember.user_id == user.id)
              & SteeringMember.left_at.is_(None) & (SteeringMember.party == Party.PERSONNEL))
        .where(RiskAssessment.cosigned_at.is_(None), RiskAssessment.waiver_reason.is_(None),
               Case.status != CaseStatus.ARCHIVED)
        .order_by(RiskAssessment.created_at, RiskAssessment.id)
    ).all()
    return [Task(TaskKind.COSIGN_RISK, f"risk:{aid}", case_id, diary, title,
                 app_path("risk.page", "cosign", case_id=case_id), since=created)
            for aid, created, case_id, diary, title in rows]
