"""Risk assessment of a case (effects stage): created by HR, co-signed by a safety representative
after re-entering their password, objections from the personnel side, or a recorded waiver."""
from __future__ import annotations

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.services import confirm_password
from tracker.cases.models import Case
from tracker.documents.models import Document
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.risk import policy
from tracker.risk.models import RiskAssessment, RiskAssessmentObjection
from tracker.risk.queries import assessment_for, signed_content
from tracker.timeutil import utcnow

SUMMARY_MAX = 20_000
REASON_MIN = 10


def _text(value: str, field: str, minimum: int = 1, maximum: int = SUMMARY_MAX) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        if minimum <= 1:
            raise ValidationFailed(_("Texten får inte vara tom."), field=field)
        raise ValidationFailed(_("Skriv minst %(n)d tecken.", n=minimum), field=field)
    if len(value) > maximum:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=maximum), field=field)
    return value


def _case_of(assessment: RiskAssessment) -> Case:
    case = db.session.get(Case, assessment.case_id)
    if case is None:
        raise NotFound()
    return case


def _check_open(case: Case) -> None:
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat."))


def _check_document(case: Case, document_id: int | None) -> int | None:
    """A document of the same case (or none)."""
    if not document_id:
        return None
    document = db.session.get(Document, int(document_id))
    if document is None or document.case_id != case.id:
        raise ValidationFailed(_("Dokumentet hör inte till ärendet."), field="document_id")
    return document.id


def create_assessment(actor: User, case: Case, *, summary: str, document_id: int | None = None) -> RiskAssessment:
    """HR records the case's written risk assessment (once per case)."""
    _check_open(case)
    if not policy.can_record_assessment(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare kan lägga in risk- och konsekvensanalysen."))
    if assessment_for(case) is not None:
        raise Conflict(_("Ärendet har redan en risk- och konsekvensanalys."))
    summary = _text(summary, "summary")
    document_id = _check_document(case, document_id)
    assessment = RiskAssessment(case_id=case.id, summary=summary, document_id=document_id,
                                created_by_id=actor.id, created_by=actor, created_at=utcnow())
    db.session.add(assessment)
    db.session.flush()
    record(actor, "risk_assessment.created", assessment,
           {"document_id": document_id, "length": len(summary)}, case_id=case.id)
    signals.risk_assessment_created.send(assessment, actor=actor, case=case)
    return assessment


def cosign(actor: User, assessment: RiskAssessment, *, password: str, sha256: str | None = None) -> RiskAssessment:
    """A safety representative on the personnel side co-signs after re-entering their password.

    `sha256` is the hash of the content the signer was shown (`queries.signed_content`); a
    mismatch (the summary or the attached document changed meanwhile) is refused."""
    case = _case_of(assessment)
    _check_open(case)
    if not policy.can_cosign_risk(actor, case):
        raise PermissionDenied(_("Endast ett skyddsombud i styrnings- och uppföljningsgruppen kan skriva under "
                                 "risk- och konsekvensanalysen."))
    if assessment.cosigned_at is not None:
        raise Conflict(_("Risk- och konsekvensanalysen är redan underskriven."))
    content = signed_content(assessment)
    if sha256 and sha256 != content.sha256:
        raise Conflict(_("Risk- och konsekvensanalysen har ändrats sedan du läste den. Läs den igen."))
    confirm_password(actor, password or "")
    assessment.cosigned_by_id = actor.id
    assessment.cosigned_by = actor
    assessment.cosigned_at = utcnow()
    db.session.flush()
    record(actor, "risk_assessment.cosigned", assessment, {
        "summary_length": len(assessment.summary), "summary_sha256": content.summary_sha256,
        "document_id": content.document_id, "document_version": content.document_version,
        "document_sha256": content.document_sha256, "sha256": content.sha256}, case_id=case.id)
    signals.risk_assessment_cosigned.send(assessment, actor=actor, case=case)
    return assessment


def add_objection(actor: User, assessment: RiskAssessment, body: str) -> RiskAssessmentObjection:
    """A personnel-side member objects to the assessment's content (stored and exported)."""
    case = _case_of(assessment)
    _check_open(case)
    if not policy.can_object(actor, case):
        raise PermissionDenied(_("Endast personalsidans ledamöter kan invända mot risk- och konsekvensanalysen."))
    body = _text(body, "body")
    objection = RiskAssessmentObjection(assessment_id=assessment.id, case_id=case.id, author_id=actor.id,
                                        author=actor, body=body, created_at=utcnow())
    db.session.add(objection)
    db.session.flush()
    record(actor, "risk_assessment.objection_added", objection,
           {"assessment_id": assessment.id, "length": len(body)}, case_id=case.id)
    return objection


def waive(actor: User, assessment: RiskAssessment, reason: str) -> RiskAssessment:
    """HR records why there is no co-signature."""
    case = _case_of(assessment)
    _check_open(case)
    if not policy.can_waive(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare kan registrera varför underskrift saknas."))
    if assessment.cosigned_at is not None:
        raise Conflict(_("Risk- och konsekvensanalysen är redan underskriven."))
    if assessment.waiver_reason:
        raise Conflict(_("Ett skäl har redan registrerats."))
    reason = _text(reason, "reason", minimum=REASON_MIN)
    assessment.waiver_reason = reason
    assessment.waived_by_id = actor.id
    assessment.waived_by = actor
    assessment.waived_at = utcnow()
    db.session.flush()
    record(actor, "risk_assessment.waived", assessment, {"reason": reason}, case_id=case.id)
    return assessment
