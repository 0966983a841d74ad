"""Stage content and transitions: record, complete, reopen; the parties' positions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.errors import Conflict, GateClosed, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure import gates
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.models import StagePosition, StageRecord
from tracker.procedure.policy import can_add_position, can_reopen
from tracker.procedure.queries import current_records, gate_facts, position_party
from tracker.procedure.services._guards import (
    clean_text,
    ensure_runner,
    ensure_visible,
    record_of,
    stage_of,
)
from tracker.procedure.stages import STAGES, next_stage, stage_index
from tracker.timeutil import utcnow

# Free-text content per stage: field -> kind ("text" | "date" | "lines").
CONTENT_FIELDS: dict[Stage, dict[str, str]] = {
    Stage.EARLY_INFORMATION: {"information_given": "text", "information_to": "text",
                              "information_given_on": "date", "proposal_text": "text"},
    Stage.GROUNDS: {"reasons": "text", "documents_tabled": "lines"},
    Stage.EFFECTS: {"effects_staff": "text", "effects_units": "text", "effects_conditions": "text"},
    Stage.ALTERNATIVES: {"alternatives_considered": "text"},
    Stage.CLOSING: {"notes": "text", "no_meeting_reason": "text"},
    Stage.DECISION: {},
    Stage.EVALUATION: {"plan": "text", "indicators": "text", "report": "text"},
}
KEEP = "keep"


def initialise_stages(case: Case) -> list[StageRecord]:
    """Round 1 of every stage: the first active, the rest pending (called by open_case)."""
    now = utcnow()
    records = []
    for i, code in enumerate(STAGES):
        rec = StageRecord(case_id=case.id, stage_code=code, round=1,
                          status=StageStatus.ACTIVE if i == 0 else StageStatus.PENDING, content={})
        if i == 0:
            rec.started_at = now
            rec.started_by_id = case.responsible_hr_id
        records.append(rec)
    db.session.add_all(records)
    db.session.flush()
    return records


def _content_value(kind: str, key: str, value: Any) -> Any:
    if kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value.isoformat()
        raise ValidationFailed(_("Ange ett datum (ÅÅÅÅ-MM-DD)."), field=key)
    if kind == "lines":
        lines = value.splitlines() if isinstance(value, str) else list(value or ())
        return [clean_text(line, key) for line in lines if str(line).strip()]
    return clean_text(value, key)


def _proposal_change(rec: StageRecord, stage: Stage, delivered_at: datetime | None | str) -> dict[str, Any]:
    if delivered_at == KEEP:
        return {}
    if stage != Stage.EARLY_INFORMATION:
        raise ValidationFailed("proposal only in early information")
    if delivered_at is not None and not isinstance(delivered_at, datetime):
        raise ValidationFailed(_("Ange datum och tid."), field="proposal_delivered_at")
    if delivered_at is not None and delivered_at > utcnow():
        raise ValidationFailed(_("Tiden kan inte ligga i framtiden."), field="proposal_delivered_at")
    if rec.proposal_delivered_at == delivered_at:
        return {}
    rec.proposal_delivered_at = delivered_at
    return {"proposal_delivered_at": delivered_at.isoformat() if delivered_at else None}


def update_stage(actor: User, case: Case, stage_code: str, *, proposal_delivered_at: datetime | None | str = KEEP,
                 **fields: Any) -> StageRecord:
    """Record the content of the active stage (only what changed is audited as stage.updated)."""
    ensure_runner(actor, case)
    stage = stage_of(stage_code)
    rec = record_of(case, stage)
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Bara ett pågående skede kan ändras."))
    allowed = CONTENT_FIELDS[stage]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(f"unknown fields for {stage}: {', '.join(sorted(unknown))}")
    content = dict(rec.content or {})
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        new = _content_value(allowed[key], key, value)
        if content.get(key) != new:
            changes[key] = content[key] = new
    changes.update(_proposal_change(rec, stage, proposal_delivered_at))
    if not changes:
        return rec
    rec.content = content
    db.session.flush()
    record(actor, "stage.updated", rec, {"stage": stage, "round": rec.round, "changes": changes},
           case_id=case.id)
    return rec


def complete_stage(actor: User, case: Case, stage_code: str) -> StageRecord:
    """Complete the active stage when its gate is open; the next open stage starts at once."""
    ensure_runner(actor, case)
    stage = stage_of(stage_code)
    records = current_records(case)
    rec = records[stage]
    if stage in (Stage.DECISION, Stage.EVALUATION):
        raise Conflict(_("Det här skedet avslutas genom sin egen åtgärd (beslut respektive godkännande)."))
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Skedet pågår inte."))
    reasons = gates.completion_reasons(case, stage, records, gate_facts(case, records))
    if reasons:
        raise GateClosed(_("Skedet kan inte avslutas."), reasons=reasons)
    now = utcnow()
    rec.status = StageStatus.COMPLETED
    rec.completed_at = now
    rec.completed_by_id = actor.id
    started = advance(actor, case, records, stage, now)
    db.session.flush()
    record(actor, "stage.completed", rec, {"stage": stage, "round": rec.round, "next_started": started},
           case_id=case.id)
    if started and records[started].started_at == now:
        # The walk moves on at once; the start is its own event so the trail reads stage by stage.
        record(actor, "stage.started", records[started], {"stage": started, "round": records[started].round},
               case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage=stage, change="completed")
    if started:
        signals.stage_changed.send(case, actor=actor, stage=started, change="started")
    return rec


def advance(actor: User, case: Case, records: dict[Stage, StageRecord], after: Stage, now: datetime) -> Stage | None:
    """Start the first stage after `after` that is not completed; returns its code."""
    code = next_stage(after)
    while code is not None and records[code].status == StageStatus.COMPLETED:
        code = next_stage(code)
    if code is None:
        return None
    nxt = records[code]
    if nxt.status == StageStatus.PENDING:
        nxt.status = StageStatus.ACTIVE
        nxt.started_at = now
        nxt.started_by_id = actor.id
    case.current_stage = code
    return code


def _new_rounds(actor: User, records: dict[Stage, StageRecord], stage: Stage, reason: str,
                now: datetime) -> tuple[list[StageRecord], list[Stage]]:
    reset: list[Stage] = []
    new_rounds: list[StageRecord] = []
    for code in STAGES[stage_index(stage):]:
        old = records[code]
        if code != stage and old.status == StageStatus.PENDING:
            continue
        old.superseded_at = now
        old.reopen_reason = reason
        fresh = StageRecord(case_id=old.case_id, stage_code=code, round=old.round + 1, content={},
                            status=StageStatus.PENDING)
        if code == stage:
            # The earlier text is a starting point; engine dates must be recorded again.
            fresh.content = dict(old.content or {})
            fresh.status = StageStatus.ACTIVE
            fresh.started_at = now
            fresh.started_by_id = actor.id
        else:
            reset.append(code)
        new_rounds.append(fresh)
    return new_rounds, reset


def reopen_stage(actor: User, case: Case, stage_code: str, reason: str) -> StageRecord:
    """HR reopens a completed stage: a new round starts; later stages go back to pending
    (their earlier rounds are frozen and stay visible); deadlines follow the new records."""
    ensure_runner(actor, case)
    if not can_reopen(actor, case):
        raise PermissionDenied(_("Bara HR kan återuppta ett skede."))
    reason = clean_text(reason, "reason")
    if len(reason) < 5:
        raise ValidationFailed(_("Ange varför skedet återupptas."), field="reason")
    stage = stage_of(stage_code)
    records = current_records(case)
    if records[stage].status != StageStatus.COMPLETED:
        raise Conflict(_("Bara ett avslutat skede kan återupptas."))
    new_rounds, reset = _new_rounds(actor, records, stage, reason, utcnow())
    # Freeze the old rounds first: the (case, stage, round) key stays unique at every flush.
    db.session.flush()
    db.session.add_all(new_rounds)
    case.current_stage = stage
    if case.status == CaseStatus.DECIDED and Stage.DECISION in [*reset, stage]:
        case.status = CaseStatus.ACTIVE
    db.session.flush()
    new = next(r for r in new_rounds if r.stage_code == stage)
    record(actor, "stage.reopened", new, {"stage": stage, "round": new.round, "reason": reason,
                                          "reset": reset}, case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage=stage, change="reopened")
    return new


def add_position(actor: User, case: Case, stage_code: str, text: str, *, dissent: bool = False,
                 final: bool = False) -> StagePosition:
    """A party's position in the current round of an active or completed stage."""
    ensure_visible(actor, case)
    party = position_party(actor, case)
    if not can_add_position(actor, case, party=party) or party is None:
        raise PermissionDenied(_("Bara styrnings- och uppföljningsgruppens ledamöter och ärendets HR kan lägga "
                                 "till ståndpunkter."))
    stage = stage_of(stage_code)
    rec = record_of(case, stage)
    if rec.status == StageStatus.PENDING:
        raise Conflict(_("Skedet har inte börjat."))
    text = clean_text(text, "text")
    if not text:
        raise ValidationFailed(_("Skriv ståndpunkten."), field="text")
    position = StagePosition(stage_record_id=rec.id, case_id=case.id, party=party, author_id=actor.id,
                             text=text, dissent=bool(dissent), is_final=bool(final) and stage == Stage.CLOSING)
    db.session.add(position)
    db.session.flush()
    record(actor, "position.added", position, {"stage": stage, "round": rec.round, "party": party,
                                               "dissent": position.dissent, "final": position.is_final},
           case_id=case.id)
    return position
