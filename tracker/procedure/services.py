"""The procedure engine: stage transitions, positions, closing, decision, evaluation.

Services take the actor, check policy and gates, change data, flush, audit.record() once per
state change and never commit. An archived case is read-only: every mutating service refuses.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import defaultload, lazyload, selectinload

from tracker import signals
from tracker.access import Permission, has_permission
from tracker.audit.service import record
from tracker.auth.models import Role, User
from tracker.cases.models import Case, CaseStatus
from tracker.cases.policy import can_run_procedure, can_view_case, is_member
from tracker.errors import Conflict, DeadlineNotReached, GateClosed, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.modules import module_exists
from tracker.procedure import deadlines as dl
from tracker.procedure.models import (
    CentralNegotiationRequest, DeadlineOverride, EndMode, StagePosition, StageRecord, StageStatus,
)
from tracker.procedure.profiles import get_profile
from tracker.procedure.stages import STAGES, next_stage, stage_index, stage_label
from tracker.timeutil import local_date, utcnow

# Free-text content per stage: field -> kind ("text" | "date" | "lines").
CONTENT_FIELDS: dict[str, dict[str, str]] = {
    "early_information": {"information_given": "text", "information_to": "text", "information_given_on": "date",
                          "proposal_text": "text"},
    "grounds": {"reasons": "text", "documents_tabled": "lines"},
    "effects": {"effects_staff": "text", "effects_units": "text", "effects_conditions": "text"},
    "alternatives": {"alternatives_considered": "text"},
    "closing": {"notes": "text"},
    "decision": {},
    "evaluation": {"plan": "text", "indicators": "text", "report": "text"},
}
TEXT_MAX = 20000


# --- reading -------------------------------------------------------------------------------

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


def current_records(case: Case) -> dict[str, StageRecord]:
    """The current (not frozen) round of each stage, by code. One query."""
    rows = db.session.execute(
        select(StageRecord).where(StageRecord.case_id == case.id, StageRecord.superseded_at.is_(None))
    ).scalars().unique().all()
    return {r.stage_code: r for r in rows}


# The people shown with a stage round (names only): their roles are not needed, so not loaded
# with them (a role check on one of them still loads its roles on access).
_RECORD_PEOPLE = (
    defaultload(StageRecord.started_by).lazyload(User.role_rows),
    defaultload(StageRecord.completed_by).lazyload(User.role_rows),
    selectinload(StageRecord.positions).defaultload(StagePosition.author).lazyload(User.role_rows),
)


def all_records(case: Case) -> list[StageRecord]:
    """Every round of every stage (frozen ones too), in stage then round order."""
    rows = db.session.execute(
        select(StageRecord).where(StageRecord.case_id == case.id).order_by(StageRecord.round)
        .options(*_RECORD_PEOPLE)
    ).scalars().unique().all()
    return sorted(rows, key=lambda r: (stage_index(r.stage_code), r.round))


def overrides_of(case: Case) -> list[DeadlineOverride]:
    return list(db.session.execute(
        select(DeadlineOverride).where(DeadlineOverride.case_id == case.id).order_by(DeadlineOverride.id)
        .options(defaultload(DeadlineOverride.by).lazyload(User.role_rows))
    ).scalars().unique())


def central_requests_of(case: Case) -> list[CentralNegotiationRequest]:
    return list(db.session.execute(
        select(CentralNegotiationRequest).where(CentralNegotiationRequest.case_id == case.id)
        .order_by(CentralNegotiationRequest.id)
    ).scalars().unique())


def _first_meetings(case_ids: list[int]) -> dict[int, datetime]:
    if not case_ids or not module_exists("tracker.meetings.models"):
        return {}
    from tracker.meetings.models import Meeting

    return dict(db.session.execute(
        select(Meeting.case_id, func.min(Meeting.starts_at))
        .where(Meeting.case_id.in_(case_ids), Meeting.cancelled_at.is_(None)).group_by(Meeting.case_id)
    ).all())


def _facts(case: Case, records: dict[str, StageRecord], first_meeting: datetime | None,
           requests: Iterable[CentralNegotiationRequest], overridden: Iterable[str]) -> dl.Facts:
    early = records.get("early_information")
    closing = records.get("closing")
    decision = records.get("decision")
    evaluation = records.get("evaluation")
    if isinstance(first_meeting, datetime) and first_meeting.tzinfo is None:  # SQLite aggregate: naive UTC
        from datetime import timezone

        first_meeting = first_meeting.replace(tzinfo=timezone.utc)
    elif isinstance(first_meeting, str):
        from datetime import timezone

        first_meeting = datetime.fromisoformat(first_meeting).replace(tzinfo=timezone.utc)
    ended = closing.negotiation_ended_at if closing else None
    return dl.Facts(
        settings=get_profile(case.profile_code).settings,
        may_reduce_staff=case.may_reduce_staff,
        staff_affected=case.staff_affected,
        proposal_delivered_on=local_date(early.proposal_delivered_at) if early and early.proposal_delivered_at else None,
        first_meeting_on=local_date(first_meeting) if first_meeting else None,
        negotiation_ended_on=local_date(ended) if ended else None,
        end_mode=closing.end_mode if closing else None,
        central_requests=tuple(dl.CentralRequestFact(local_date(r.requested_at), r.timely, r.is_pending)
                               for r in requests),
        decision_on=decision.decision_date if decision and decision.status == StageStatus.COMPLETED else None,
        evaluation_approved_on=evaluation.approved_on if evaluation else None,
        overridden=frozenset(overridden),
    )


def facts_for(case: Case, records: dict[str, StageRecord] | None = None) -> dl.Facts:
    """The deadline engine's input for one case (a fixed number of queries)."""
    records = records if records is not None else current_records(case)
    return _facts(case, records, _first_meetings([case.id]).get(case.id), central_requests_of(case),
                  (o.deadline_code for o in overrides_of(case)))


def facts_for_cases(cases: list[Case]) -> dict[int, dl.Facts]:
    """Facts for many cases in four queries (lists, dashboard): no N+1."""
    ids = [c.id for c in cases]
    if not ids:
        return {}
    records: dict[int, dict[str, StageRecord]] = {i: {} for i in ids}
    # Only the fields the deadline engine reads: no positions, no people.
    for r in db.session.execute(select(StageRecord).where(
            StageRecord.case_id.in_(ids), StageRecord.superseded_at.is_(None))
            .options(lazyload(StageRecord.positions), lazyload(StageRecord.started_by),
                     lazyload(StageRecord.completed_by))).scalars().unique():
        records[r.case_id][r.stage_code] = r
    requests: dict[int, list] = {i: [] for i in ids}
    for r in db.session.execute(select(CentralNegotiationRequest).where(
            CentralNegotiationRequest.case_id.in_(ids))
            .options(lazyload(CentralNegotiationRequest.requested_by))).scalars().unique():
        requests[r.case_id].append(r)
    overridden: dict[int, set] = {i: set() for i in ids}
    for case_id, code in db.session.execute(select(DeadlineOverride.case_id, DeadlineOverride.deadline_code)
                                            .where(DeadlineOverride.case_id.in_(ids))):
        overridden[case_id].add(code)
    meetings = _first_meetings(ids)
    return {c.id: _facts(c, records[c.id], meetings.get(c.id), requests[c.id], overridden[c.id]) for c in cases}


def today() -> date:
    return local_date(utcnow())


def deadlines_for(case: Case) -> list[dl.Deadline]:
    """Every deadline of the case with its basis (computed, never stored)."""
    return dl.compute(facts_for(case), today())


# --- guards --------------------------------------------------------------------------------

def _ensure_open(case: Case) -> None:
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat och kan inte ändras."))


def _ensure_runner(actor: User, case: Case) -> None:
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_run_procedure(actor, case):
        raise PermissionDenied(_("Bara ärendets HR-handläggare driver förfarandet."))


def _stage(code: str) -> str:
    if code not in STAGES:
        raise NotFound("unknown stage")
    return code


def _record(case: Case, code: str) -> StageRecord:
    rec = current_records(case).get(_stage(code))
    if rec is None:  # pragma: no cover - every case has round 1 of every stage
        raise NotFound("stage record missing")
    return rec


def _clean_text(value: Any, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=TEXT_MAX), field=field)
    return text


# --- stage content and transitions ---------------------------------------------------------

def update_stage(actor: User, case: Case, stage_code: str, *, proposal_delivered_at: datetime | None | str = "keep",
                 **fields: Any) -> StageRecord:
    """Record the content of the active stage (only what changed is audited as stage.updated)."""
    _ensure_runner(actor, case)
    rec = _record(case, stage_code)
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Bara ett pågående steg kan ändras."))
    allowed = CONTENT_FIELDS[stage_code]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(f"unknown fields for {stage_code}: {', '.join(sorted(unknown))}")
    content = dict(rec.content or {})
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        kind = allowed[key]
        if kind == "date":
            if value in (None, ""):
                new = None
            elif isinstance(value, date):
                new = value.isoformat()
            else:
                raise ValidationFailed(_("Ange ett datum (ÅÅÅÅ-MM-DD)."), field=key)
        elif kind == "lines":
            lines = value.splitlines() if isinstance(value, str) else list(value or ())
            new = [_clean_text(line, key) for line in lines if str(line).strip()]
        else:
            new = _clean_text(value, key)
        if content.get(key) != new:
            changes[key] = new
            content[key] = new
    if proposal_delivered_at != "keep":
        if stage_code != "early_information":
            raise ValidationFailed("proposal only in early information")
        if proposal_delivered_at is not None and not isinstance(proposal_delivered_at, datetime):
            raise ValidationFailed(_("Ange datum och tid."), field="proposal_delivered_at")
        if proposal_delivered_at is not None and proposal_delivered_at > utcnow():
            raise ValidationFailed(_("Tiden kan inte ligga i framtiden."), field="proposal_delivered_at")
        if rec.proposal_delivered_at != proposal_delivered_at:
            changes["proposal_delivered_at"] = proposal_delivered_at.isoformat() if proposal_delivered_at else None
            rec.proposal_delivered_at = proposal_delivered_at
    if not changes:
        return rec
    rec.content = content
    db.session.flush()
    record(actor, "stage.updated", rec, {"stage": stage_code, "round": rec.round, "changes": changes},
           case_id=case.id)
    return rec


def complete_stage(actor: User, case: Case, stage_code: str) -> StageRecord:
    """Complete the active stage when its gate is open; the next open stage starts at once."""
    _ensure_runner(actor, case)
    rec = _record(case, stage_code)
    if stage_code in ("decision", "evaluation"):
        raise Conflict(_("Det här steget avslutas genom sin egen åtgärd (beslut respektive godkännande)."))
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Steget pågår inte."))
    from tracker.procedure.gates import completion_reasons

    records = current_records(case)
    reasons = completion_reasons(case, stage_code, records)
    if reasons:
        raise GateClosed(_("Steget kan inte avslutas."), reasons=reasons)
    now = utcnow()
    rec.status = StageStatus.COMPLETED
    rec.completed_at = now
    rec.completed_by_id = actor.id
    started = _advance(actor, case, records, stage_code, now)
    db.session.flush()
    record(actor, "stage.completed", rec, {"stage": stage_code, "round": rec.round, "next_started": started},
           case_id=case.id)
    if started and records[started].started_at == now:
        # The walk moves on at once; the start is its own event so the trail reads stage by stage.
        record(actor, "stage.started", records[started], {"stage": started, "round": records[started].round},
               case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage=stage_code, change="completed")
    if started:
        signals.stage_changed.send(case, actor=actor, stage=started, change="started")
    return rec


def _advance(actor: User, case: Case, records: dict[str, StageRecord], after: str, now: datetime) -> str | None:
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


def reopen_stage(actor: User, case: Case, stage_code: str, reason: str) -> StageRecord:
    """HR reopens a completed stage: a new round starts; later stages go back to pending
    (their earlier rounds are frozen and stay visible); deadlines follow the new records."""
    _ensure_runner(actor, case)
    if not actor.has_role(Role.HR_OFFICER):
        raise PermissionDenied(_("Bara HR kan återuppta ett steg."))
    reason = _clean_text(reason, "reason")
    if len(reason) < 5:
        raise ValidationFailed(_("Ange varför steget återupptas."), field="reason")
    records = current_records(case)
    rec = records[_stage(stage_code)]
    if rec.status != StageStatus.COMPLETED:
        raise Conflict(_("Bara ett avslutat steg kan återupptas."))
    now = utcnow()
    reset: list[str] = []
    new_rounds: list[StageRecord] = []
    for code in STAGES[stage_index(stage_code):]:
        old = records[code]
        if code != stage_code and old.status == StageStatus.PENDING:
            continue
        old.superseded_at = now
        old.reopen_reason = reason
        fresh = StageRecord(case_id=case.id, stage_code=code, round=old.round + 1, content={},
                            status=StageStatus.PENDING)
        if code == stage_code:
            # The earlier text is a starting point; engine dates must be recorded again.
            fresh.content = dict(old.content or {})
            fresh.status = StageStatus.ACTIVE
            fresh.started_at = now
            fresh.started_by_id = actor.id
        else:
            reset.append(code)
        new_rounds.append(fresh)
    # Freeze the old rounds first: the (case, stage, round) key stays unique at every flush.
    db.session.flush()
    db.session.add_all(new_rounds)
    case.current_stage = stage_code
    if case.status == CaseStatus.DECIDED and "decision" in reset + [stage_code]:
        case.status = CaseStatus.ACTIVE
    db.session.flush()
    new = next(r for r in new_rounds if r.stage_code == stage_code)
    record(actor, "stage.reopened", new, {"stage": stage_code, "round": new.round, "reason": reason,
                                          "reset": reset}, case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage=stage_code, change="reopened")
    return new


# --- positions -----------------------------------------------------------------------------

def position_party(actor: User, case: Case) -> str | None:
    """The party the actor speaks for in this case, or None."""
    from tracker.steering.models import Party, SteeringMember

    party = db.session.execute(
        select(SteeringMember.party).where(SteeringMember.case_id == case.id, SteeringMember.user_id == actor.id,
                                           SteeringMember.left_at.is_(None)).limit(1)
    ).scalar()
    if party:
        return party
    if can_run_procedure(actor, case):
        return Party.EMPLOYER
    return None


def can_add_position(actor: User, case: Case) -> bool:
    return (not case.is_archived and has_permission(actor, Permission.STAGE_POSITION)
            and can_view_case(actor, case) and position_party(actor, case) is not None)


def add_position(actor: User, case: Case, stage_code: str, text: str, *, dissent: bool = False,
                 final: bool = False) -> StagePosition:
    """A party's position in the current round of an active or completed stage."""
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    party = position_party(actor, case) if has_permission(actor, Permission.STAGE_POSITION) else None
    if party is None:
        raise PermissionDenied(_("Bara styrnings- och uppföljningsgruppens ledamöter och ärendets HR kan lägga till ståndpunkter."))
    rec = _record(case, stage_code)
    if rec.status == StageStatus.PENDING:
        raise Conflict(_("Steget har inte börjat."))
    text = _clean_text(text, "text")
    if not text:
        raise ValidationFailed(_("Skriv ståndpunkten."), field="text")
    position = StagePosition(stage_record_id=rec.id, case_id=case.id, party=party, author_id=actor.id,
                             text=text, dissent=bool(dissent), is_final=bool(final) and stage_code == "closing")
    db.session.add(position)
    db.session.flush()
    record(actor, "position.added", position, {"stage": stage_code, "round": rec.round, "party": party,
                                               "dissent": position.dissent, "final": position.is_final},
           case_id=case.id)
    return position


# --- closing -------------------------------------------------------------------------------

def end_negotiation(actor: User, case: Case, *, end_mode: str, ended_at: datetime,
                    employer_position: str = "", personnel_position: str = "", notice_by: str | None = None
                    ) -> StageRecord:
    """Record how and when the negotiation ended, and each party's final position."""
    _ensure_runner(actor, case)
    rec = _record(case, "closing")
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Förhandlingen kan avslutas när steget Avslutande pågår."))
    errors: dict[str, str] = {}
    if end_mode not in {m.value for m in EndMode}:
        errors["end_mode"] = _("Välj hur förhandlingen avslutades.")
    if not isinstance(ended_at, datetime):
        errors["ended_at"] = _("Ange datum och tid.")
    elif ended_at > utcnow():
        errors["ended_at"] = _("Tiden kan inte ligga i framtiden.")
    if end_mode == EndMode.WRITTEN_NOTICE and notice_by not in ("employer", "personnel"):
        errors["notice_by"] = _("Ange vilken part som gav skriftligt besked.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors, field=next(iter(errors)))
    content = dict(rec.content or {})
    content["final_positions"] = {"employer": _clean_text(employer_position, "employer_position"),
                                  "personnel": _clean_text(personnel_position, "personnel_position")}
    if end_mode == EndMode.WRITTEN_NOTICE:
        content["notice_by"] = notice_by
    else:
        content.pop("notice_by", None)
    rec.content = content
    rec.end_mode = end_mode
    rec.negotiation_ended_at = ended_at
    db.session.flush()
    record(actor, "negotiation.ended", rec, {"end_mode": end_mode, "ended_at": ended_at.isoformat(),
                                             "notice_by": content.get("notice_by"),
                                             "final_positions": content["final_positions"]}, case_id=case.id)
    return rec


def request_central_negotiation(actor: User, case: Case, *, note: str = "",
                                requested_at: datetime | None = None) -> CentralNegotiationRequest:
    """se-mbl: the personnel side asks for central negotiation after a local disagreement.
    A request after the window is recorded as late and does not lock the decision."""
    from tracker.steering.models import Party

    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not has_permission(actor, Permission.CENTRAL_NEGOTIATION_REQUEST) or \
            position_party(actor, case) != Party.PERSONNEL:
        raise PermissionDenied(_("Bara personalens företrädare i styrnings- och uppföljningsgruppen kan begära central förhandling."))
    profile = get_profile(case.profile_code)
    if not profile.central_negotiation_enabled:
        raise Conflict(_("Förfarandeprofilen har ingen central förhandling."))
    facts = facts_for(case)
    window_end = dl.central_window_ends(facts)
    if window_end is None:
        raise Conflict(_("Central förhandling kan begäras först när den lokala förhandlingen avslutats i oenighet."))
    if any(r.is_pending for r in central_requests_of(case)):
        raise Conflict(_("En begäran om central förhandling är redan registrerad."))
    requested_at = requested_at or utcnow()
    timely = local_date(requested_at) <= window_end
    req = CentralNegotiationRequest(case_id=case.id, requested_by_id=actor.id, requested_at=requested_at,
                                    timely=timely, window_ends_on=window_end, note=_clean_text(note, "note"))
    db.session.add(req)
    db.session.flush()
    record(actor, "central_negotiation.requested", req, {"timely": timely, "window_ends_on": window_end.isoformat(),
                                                         "requested_at": requested_at.isoformat()}, case_id=case.id)
    return req


def end_central_negotiation(actor: User, case: Case, request_id: int, *, outcome: str,
                            ended_at: datetime | None = None) -> CentralNegotiationRequest:
    """HR records the end of the central negotiation; the decision lock lifts."""
    _ensure_runner(actor, case)
    req = db.session.get(CentralNegotiationRequest, request_id)
    if req is None or req.case_id != case.id:
        raise NotFound("request not found")
    if not req.is_pending:
        raise Conflict(_("Den centrala förhandlingen är redan avslutad."))
    outcome = _clean_text(outcome, "outcome")
    if not outcome:
        raise ValidationFailed(_("Ange utfallet."), field="outcome")
    req.ended_at = ended_at or utcnow()
    req.ended_by_id = actor.id
    req.outcome = outcome
    db.session.flush()
    record(actor, "central_negotiation.ended", req, {"outcome": outcome, "ended_at": req.ended_at.isoformat()},
           case_id=case.id)
    return req


def record_urgent_decision(actor: User, case: Case, reason: str) -> Case:
    """se-mbl (synnerliga skäl): the decision may precede negotiation; a negotiation becomes
    mandatory before archiving. HR or the decision maker records the cause."""
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not (can_run_procedure(actor, case) or has_permission(actor, Permission.DECISION_REGISTER)):
        raise PermissionDenied(_("Bara HR eller beslutsfattaren kan registrera synnerliga skäl."))
    if not get_profile(case.profile_code).allows_urgent_decision:
        raise Conflict(_("Förfarandeprofilen tillåter inte brådskande beslut."))
    if case.urgent_reason:
        raise Conflict(_("Synnerliga skäl är redan registrerade."))
    reason = _clean_text(reason, "reason")
    if len(reason) < 10:
        raise ValidationFailed(_("Beskriv de synnerliga skälen (minst 10 tecken)."), field="reason")
    case.urgent_reason = reason
    case.urgent_recorded_at = utcnow()
    case.urgent_recorded_by_id = actor.id
    db.session.flush()
    record(actor, "urgent_decision.recorded", case, {"reason": reason}, case_id=case.id)
    return case


# --- overrides and the decision ------------------------------------------------------------

def can_override(actor: User, case: Case) -> bool:
    return (has_permission(actor, Permission.DEADLINE_OVERRIDE) and actor.has_role(Role.DECISION_MAKER)
            and can_view_case(actor, case) and not case.is_archived)


def override_deadline(actor: User, case: Case, deadline_code: str, reason: str,
                      earliest: date | None = None) -> DeadlineOverride:
    """A decision maker overrides a blocking deadline with a written reason: non-compliance."""
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_override(actor, case):
        raise PermissionDenied(_("Bara beslutsfattaren kan åsidosätta en tidsfrist."))
    if deadline_code not in dl.OVERRIDABLE:
        raise ValidationFailed(_("Den här tidsfristen kan inte åsidosättas."), field="deadline_code")
    reason = _clean_text(reason, "reason")
    if len(reason) < 10:
        raise ValidationFailed(_("Motivera åsidosättandet skriftligt (minst 10 tecken)."), field="reason")
    row = DeadlineOverride(case_id=case.id, deadline_code=deadline_code, reason=reason, earliest=earliest,
                           by_id=actor.id, at=utcnow())
    db.session.add(row)
    case.non_compliance = True
    db.session.flush()
    record(actor, "deadline.overridden", row, {"deadline": deadline_code, "reason": reason,
                                               "earliest": earliest.isoformat() if earliest else None},
           case_id=case.id)
    return row


def assert_meeting_allowed(case: Case, starts_at: datetime) -> None:
    """fi-municipal with possible reductions: no meeting before proposal delivery + lead days."""
    facts = facts_for(case)
    if not dl.proposal_rule_applies(facts) or dl.EARLIEST_FIRST_MEETING in facts.overridden:
        return
    earliest = dl.earliest_first_meeting(facts)
    if earliest is None:
        raise DeadlineNotReached(
            _("Den skriftliga förhandlingsframställan måste lämnas minst %(days)d dagar före första mötet.",
              days=int(facts.settings["proposal_lead_days"])), earliest=None, code=dl.EARLIEST_FIRST_MEETING)
    if local_date(starts_at) < earliest:
        raise DeadlineNotReached(
            _("Första mötet kan hållas tidigast %(day)s (förhandlingsframställan + %(days)d dagar).",
              day=earliest.isoformat(), days=int(facts.settings["proposal_lead_days"])),
            earliest=earliest, code=dl.EARLIEST_FIRST_MEETING)


def decision_blockers(case: Case, decided_on: date | None = None) -> list[tuple[str, str, date | None]]:
    """(deadline code, reason, earliest date) for everything that blocks a decision now."""
    from tracker.procedure.gates import decision_reasons

    records = current_records(case)
    out: list[tuple[str, str, date | None]] = [(c, r, None) for c, r in decision_reasons(case, records)
                                               if c not in _overridden_codes(case)]
    facts = facts_for(case, records)
    earliest = dl.earliest_decision(facts)
    day = decided_on or today()
    if dl.min_negotiation_days(facts) and dl.EARLIEST_DECISION not in facts.overridden:
        if earliest is None:
            out.append((dl.EARLIEST_DECISION, _("Minsta förhandlingstid kan inte räknas: inget möte är hållet."), None))
        elif day < earliest:
            out.append((dl.EARLIEST_DECISION, _("Beslut kan fattas tidigast %(day)s.", day=earliest.isoformat()),
                        earliest))
    if dl.central_negotiation_pending(facts) and dl.CENTRAL_PENDING not in facts.overridden:
        out.append((dl.CENTRAL_PENDING, _("En central förhandling pågår: beslutet är låst."), None))
    return out


def _overridden_codes(case: Case) -> set[str]:
    return set(db.session.execute(select(DeadlineOverride.deadline_code)
                                  .where(DeadlineOverride.case_id == case.id)).scalars())


def can_register_decision(actor: User, case: Case) -> bool:
    return (has_permission(actor, Permission.DECISION_REGISTER) and can_view_case(actor, case)
            and not case.is_archived)


def register_decision(actor: User, case: Case, *, body: str, decided_on: date, reference: str,
                      summary: str = "", override_reason: str | None = None) -> StageRecord:
    """The decision maker registers the decision; refused before closing ended and before the
    deadlines allow, unless overridden with a written reason (flagged as non-compliance)."""
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_register_decision(actor, case):
        raise PermissionDenied(_("Bara beslutsfattaren registrerar beslutet."))
    errors: dict[str, str] = {}
    body = _clean_text(body, "body")
    reference = _clean_text(reference, "reference")
    if not body:
        errors["body"] = _("Ange beslutande organ.")
    if not isinstance(decided_on, date):
        errors["decided_on"] = _("Ange beslutsdatum.")
    elif decided_on > today():
        errors["decided_on"] = _("Beslutsdatumet kan inte ligga i framtiden.")
    if not reference:
        errors["reference"] = _("Ange paragraf (§).")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors, field=next(iter(errors)))
    rec = _record(case, "decision")
    if rec.status == StageStatus.COMPLETED:
        raise Conflict(_("Beslutet är redan registrerat."))
    blockers = decision_blockers(case, decided_on)
    if blockers:
        reason_text = (override_reason or "").strip()
        if not reason_text:
            earliest = max((b[2] for b in blockers if b[2]), default=None)
            if earliest is not None and all(b[0] == dl.EARLIEST_DECISION for b in blockers):
                raise DeadlineNotReached(blockers[0][1], earliest=earliest, code=dl.EARLIEST_DECISION)
            raise GateClosed(_("Beslutet kan inte registreras ännu."), reasons=[b[1] for b in blockers],
                             earliest=earliest)
        for code, _reason, earliest in blockers:
            override_deadline(actor, case, code, reason_text, earliest)
    now = utcnow()
    if rec.status == StageStatus.PENDING:
        rec.started_at = now
        rec.started_by_id = actor.id
    rec.status = StageStatus.COMPLETED
    rec.completed_at = now
    rec.completed_by_id = actor.id
    rec.decision_date = decided_on
    rec.content = {"body": body, "reference": reference, "summary": _clean_text(summary, "summary"),
                   "urgent": bool(case.urgent_reason) and current_records(case)["closing"].status != StageStatus.COMPLETED}
    case.status = CaseStatus.DECIDED
    started = None
    if case.current_stage == "decision":
        started = _advance(actor, case, current_records(case), "decision", now)
    db.session.flush()
    record(actor, "decision.registered", rec, {
        "body": body, "decided_on": decided_on.isoformat(), "reference": reference,
        "urgent": rec.content["urgent"], "overridden": [b[0] for b in blockers], "next_started": started,
    }, case_id=case.id)
    if started:
        evaluation = current_records(case)[started]
        record(actor, "stage.started", evaluation, {"stage": started, "round": evaluation.round}, case_id=case.id)
    signals.decision_registered.send(case, actor=actor)
    signals.stage_changed.send(case, actor=actor, stage="decision", change="completed")
    return rec


# --- evaluation and archiving --------------------------------------------------------------

def can_approve_evaluation(actor: User, case: Case) -> bool:
    """The steering group's chair, or the responsible HR officer on the group's behalf."""
    from tracker.steering.models import MemberRole, SteeringMember

    if case.is_archived or not can_view_case(actor, case):
        return False
    if can_run_procedure(actor, case):
        return True
    return db.session.execute(select(SteeringMember.id).where(
        SteeringMember.case_id == case.id, SteeringMember.user_id == actor.id,
        SteeringMember.left_at.is_(None), SteeringMember.role == MemberRole.CHAIR).limit(1)).first() is not None


def approve_evaluation(actor: User, case: Case, *, approved_on: date, minute_reference: str = "") -> StageRecord:
    """Record the steering group's approval of the evaluation report (its decision date)."""
    _ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_approve_evaluation(actor, case):
        raise PermissionDenied(_("Styrnings- och uppföljningsgruppens ordförande eller ärendets HR registrerar godkännandet."))
    rec = _record(case, "evaluation")
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Utvärderingen pågår inte."))
    if not ((rec.content or {}).get("report") or "").strip():
        raise GateClosed(_("Utvärderingsrapporten saknas."), reasons=[_("Utvärderingsrapporten saknas.")])
    if not isinstance(approved_on, date):
        raise ValidationFailed(_("Ange styrnings- och uppföljningsgruppens beslutsdatum."), field="approved_on")
    if approved_on > today():
        raise ValidationFailed(_("Datumet kan inte ligga i framtiden."), field="approved_on")
    now = utcnow()
    rec.approved_on = approved_on
    rec.status = StageStatus.COMPLETED
    rec.completed_at = now
    rec.completed_by_id = actor.id
    rec.content = {**(rec.content or {}), "approval_reference": _clean_text(minute_reference, "minute_reference")}
    db.session.flush()
    record(actor, "evaluation.approved", rec, {"approved_on": approved_on.isoformat(),
                                               "reference": rec.content["approval_reference"]}, case_id=case.id)
    signals.stage_changed.send(case, actor=actor, stage="evaluation", change="completed")
    return rec


def archive_case(actor: User, case: Case) -> Case:
    """Archive after the approved evaluation: the case becomes read-only."""
    _ensure_runner(actor, case)
    from tracker.procedure.gates import archive_reasons

    reasons = archive_reasons(case)
    if reasons:
        raise GateClosed(_("Ärendet kan inte arkiveras."), reasons=reasons)
    case.status = CaseStatus.ARCHIVED
    case.archived_at = utcnow()
    db.session.flush()
    record(actor, "case.archived", case, {}, case_id=case.id)
    return case
