"""The decision: deadline overrides (recorded non-compliances) and registering the decision."""
from __future__ import annotations

from datetime import date

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.errors import Conflict, DeadlineNotReached, GateClosed, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import DeadlineCode, Stage, StageStatus
from tracker.procedure.models import DeadlineOverride, StageRecord
from tracker.procedure.policy import can_override, can_register_decision
from tracker.procedure.queries import Blocker, current_records, decision_blockers, today
from tracker.procedure.rounds import case_round
from tracker.procedure.services._guards import clean_text, ensure_visible, raise_field_errors, record_of
from tracker.procedure.services.stages import advance
from tracker.timeutil import utcnow


def override_deadline(actor: User, case: Case, deadline_code: str, reason: str,
                      earliest: date | None = None) -> DeadlineOverride:
    """A decision maker overrides a blocking deadline with a written reason: non-compliance."""
    ensure_visible(actor, case)
    if not can_override(actor, case):
        raise PermissionDenied(_("Bara beslutsfattaren kan åsidosätta en tidsfrist."))
    if deadline_code not in dl.OVERRIDABLE:
        raise ValidationFailed(_("Den här tidsfristen kan inte åsidosättas."), field="deadline_code")
    reason = clean_text(reason, "reason")
    if len(reason) < 10:
        raise ValidationFailed(_("Motivera åsidosättandet skriftligt (minst 10 tecken)."), field="reason")
    code = DeadlineCode(deadline_code)
    round_number = case_round(case)
    row = DeadlineOverride(case_id=case.id, deadline_code=code, reason=reason, earliest=earliest,
                           round=round_number, by_id=actor.id, at=utcnow())
    db.session.add(row)
    case.non_compliance = True
    db.session.flush()
    record(actor, "deadline.overridden", row, {"deadline": code, "reason": reason, "round": round_number,
                                               "earliest": earliest.isoformat() if earliest else None},
           case_id=case.id)
    return row


def _decision_errors(body: str, decided_on: date | None, reference: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Ange beslutande organ.")
    if not isinstance(decided_on, date):
        errors["decided_on"] = _("Ange beslutsdatum.")
    elif decided_on > today():
        errors["decided_on"] = _("Beslutsdatumet kan inte ligga i framtiden.")
    if not reference:
        errors["reference"] = _("Ange paragraf (§).")
    return errors


def _override_blockers(actor: User, case: Case, blockers: list[Blocker], override_reason: str | None) -> None:
    """Without a reason, refuse with every blocker; with one, override each (non-compliance)."""
    reason_text = (override_reason or "").strip()
    if not reason_text:
        earliest = max((b[2] for b in blockers if b[2]), default=None)
        if earliest is not None and all(b[0] == dl.EARLIEST_DECISION for b in blockers):
            raise DeadlineNotReached(blockers[0][1], earliest=earliest, code=dl.EARLIEST_DECISION)
        raise GateClosed(_("Beslutet kan inte registreras ännu."), reasons=[b[1] for b in blockers],
                         earliest=earliest)
    for code, _reason, earliest_day in blockers:
        override_deadline(actor, case, code, reason_text, earliest_day)


def register_decision(actor: User, case: Case, *, body: str, decided_on: date, reference: str,
                      summary: str = "", override_reason: str | None = None) -> StageRecord:
    """The decision maker registers the decision; refused before closing ended and before the
    deadlines allow, unless overridden with a written reason (flagged as non-compliance)."""
    ensure_visible(actor, case)
    if not can_register_decision(actor, case):
        raise PermissionDenied(_("Bara beslutsfattaren registrerar beslutet."))
    body = clean_text(body, "body")
    reference = clean_text(reference, "reference")
    raise_field_errors(_decision_errors(body, decided_on, reference))
    rec = record_of(case, Stage.DECISION)
    if rec.status == StageStatus.COMPLETED:
        raise Conflict(_("Beslutet är redan registrerat."))
    blockers = decision_blockers(case, decided_on)
    if blockers:
        _override_blockers(actor, case, blockers, override_reason)
    now = utcnow()
    if rec.status == StageStatus.PENDING:
        rec.started_at = now
        rec.started_by_id = actor.id
    rec.status = StageStatus.COMPLETED
    rec.completed_at = now
    rec.completed_by_id = actor.id
    rec.decision_date = decided_on
    records = current_records(case)
    urgent = bool(case.urgent_reason) and records[Stage.CLOSING].status != StageStatus.COMPLETED
    rec.content = {"body": body, "reference": reference, "summary": clean_text(summary, "summary"), "urgent": urgent}
    case.status = CaseStatus.DECIDED
    started = advance(actor, case, records, Stage.DECISION, now) if case.current_stage == Stage.DECISION else None
    db.session.flush()
    record(actor, "decision.registered", rec, {
        "body": body, "decided_on": decided_on.isoformat(), "reference": reference,
        "urgent": urgent, "overridden": [b[0] for b in blockers], "next_started": started,
    }, case_id=case.id)
    if started:
        evaluation = records[started]
        record(actor, "stage.started", evaluation, {"stage": started, "round": evaluation.round}, case_id=case.id)
    signals.decision_registered.send(case, actor=actor)
    signals.stage_changed.send(case, actor=actor, stage=Stage.DECISION, change="completed")
    return rec
