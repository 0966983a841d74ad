"""The evaluation: the steering group's approval of the report, then archiving the case."""
from __future__ import annotations

from datetime import date

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.errors import Conflict, GateClosed, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.models import StageRecord
from tracker.procedure.policy import can_approve_evaluation, can_archive
from tracker.procedure.queries import archive_reasons, current_records, is_chair, today
from tracker.procedure.services._guards import clean_text, ensure_visible, record_of
from tracker.timeutil import utcnow


def approve_evaluation(actor: User, case: Case, *, approved_on: date, minute_reference: str = "") -> StageRecord:
    """Record the steering group's approval of the evaluation report (its decision date)."""
    ensure_visible(actor, case)
    if not can_approve_evaluation(actor, case, is_chair=is_chair(actor, case)):
        raise PermissionDenied(_("Styrnings- och uppföljningsgruppens ordförande eller ärendets HR registrerar "
                                 "godkännandet."))
    rec = record_of(case, Stage.EVALUATION)
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Utvärderingen pågår inte."))
    if not ((rec.content or {}).get("report") or "").strip():
        raise GateClosed(_("Utvärderingsrapporten saknas."), reasons=[_("Utvärderingsrapporten saknas.")])
    if not isinstance(approved_on, date):
        raise ValidationFailed(_("Ange styrnings- och uppföljningsgruppens beslutsdatum."), field="approved_on")
    if approved_on > today():
        raise ValidationFailed(_("Datumet kan inte ligga i framtiden."), field="approved_on")
    rec.approved_on = approved_on
    rec.status = StageStatus.COMPLETED
    rec.completed_at = utcnow()
    rec.completed_by_id = actor.id
    rec.content = {**(rec.content or {}), "approval_reference": clean_text(minute_reference, "minute_reference")}
    db.session.flush()
    record(actor, "evaluation.approved", rec, {"approved_on": approved_on.isoformat(),
                                               "reference": rec.content["approval_reference"]}, case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage=Stage.EVALUATION, change="completed")
    return rec


def archive_case(actor: User, case: Case) -> Case:
    """Archive after the approved evaluation: the case becomes read-only."""
    ensure_visible(actor, case)
    if not can_archive(actor, case):
        raise PermissionDenied(_("Bara ärendets HR-handläggare driver förfarandet."))
    reasons = archive_reasons(case, current_records(case))
    if reasons:
        raise GateClosed(_("Ärendet kan inte arkiveras."), reasons=reasons)
    case.status = CaseStatus.ARCHIVED
    case.archived_at = utcnow()
    db.session.flush()
    record(actor, "case.archived", case, {}, case_id=case.id)
    return case
