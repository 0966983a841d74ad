"""Reads of the procedure: records, facts, deadlines, gate reasons, blockers.

The read API the case page's procedure panel (`tracker/procedure/panel.py`) builds on; each runs a
fixed number of queries, independent of the number of rows:

- `all_records(case)`: every round of every stage (frozen ones too), stage then round order.
- `current_records(case)`: the current round of each stage, by `Stage`.
- `overrides_of(case)`, `central_requests_of(case)`: the case's overrides and central requests.
- `facts_for(case, records=None)`, `facts_for_cases(cases)`: the deadline engine's input.
- `today()`: the organisation's calendar date.
- `deadlines_for(case)`: every deadline with its basis.
- `gate_facts(case, records)`: what the gates look at (`tracker.procedure.facts.GateFacts`).
- `gate_reasons(case, records, facts=None) -> dict[Stage, list[str]]`: each active stage's
  completion reasons; `archive_reasons(case, records)`; `reasons_closed(case, stage)`.
- `decision_blockers(case, decided_on=None)`: what blocks a decision now.
- `position_party(user, case)`, `is_chair(user, case)`: the facts the policy predicates
  (`tracker.procedure.policy`) take as arguments.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, lazyload

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure
from tracker.errors import Conflict, DeadlineNotReached
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.id_lists import IDS, dialect_name, ids_clause, ids_value
from tracker.procedure import deadlines as dl
from tracker.procedure import gates
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.facts import (
    GateFacts,
    _aware,
    case_rounds,
    central_requests_of,
    current_round_codes,
    deadline_facts,
    first_meetings,
    gate_facts,
    negotiation_round_start,
    overrides_of,
)
from tracker.procedure.models import CentralNegotiationRequest, DeadlineOverride, StagePosition, StageRecord
from tracker.procedure.record_dates import FACT_STAGES, RecordDates, StageDates
from tracker.procedure.stage_rounds import Person, PositionRow, RoundRow, StageRound
from tracker.procedure.stages import stage_index
from tracker.steering import roster
from tracker.steering.models import MemberRole, Party
from tracker.timeutil import local_date, to_local, utcnow

__all__ = [
    "GateFacts", "ProcedureReads", "all_records", "archive_reasons", "assert_meeting_allowed",
    "assert_meeting_not_frozen", "assert_stage_item_not_frozen", "blockers_from", "central_requests_of",
    "current_records", "deadlines_for", "decision_blockers", "facts_for", "facts_for_cases", "gate_facts",
    "gate_reasons", "is_chair", "overrides_of", "position_party", "procedure_reads", "reasons_closed",
    "records_and_facts_for_cases", "today",
]

Blocker = gates.Blocker


def current_records(case: Case) -> dict[Stage, StageRecord]:
    """The current (not frozen) round of each stage, by stage. One query."""
    rows = db.session.execute(
        select(StageRecord).where(StageRecord.case_id == case.id, StageRecord.superseded_at.is_(None))
    ).scalars().unique().all()
    return {Stage(r.stage_code): r for r in rows}


_STARTER, _COMPLETER, _AUTHOR = aliased(User), aliased(User), aliased(User)


_POSITION_ROWS = (
    select(StagePosition.stage_record_id, StagePosition.id, StagePosition.party, StagePosition.text,
           StagePosition.dissent, StagePosition.is_final, StagePosition.created_at,
           _AUTHOR.id.label("author_id"), _AUTHOR.name.label("author_name"))
    .join(_AUTHOR, _AUTHOR.id == StagePosition.author_id)
    .where(StagePosition.case_id == bindparam("case_id")).order_by(StagePosition.id))
_ROUND_ROWS = (
    select(StageRecord.id, StageRecord.case_id, StageRecord.stage_code, StageRecord.round,
           StageRecord.status, StageRecord.started_at, StageRecord.completed_at, StageRecord.content,
           StageRecord.proposal_delivered_at, StageRecord.negotiation_ended_at, StageRecord.end_mode,
           StageRecord.decision_date, StageRecord.approved_on, StageRecord.superseded_at,
           StageRecord.reopen_reason, _STARTER.id.label("starter_id"), _STARTER.name.label("starter_name"),
           _COMPLETER.id.label("completer_id"), _COMPLETER.name.label("completer_name"))
    .outerjoin(_STARTER, _STARTER.id == StageRecord.started_by_id)
    .outerjoin(_COMPLETER, _COMPLETER.id == StageRecord.completed_by_id)
    .where(StageRecord.case_id == bindparam("case_id")))


def all_records(case: Case) -> list[RoundRow]:
    """Every round of every stage (frozen ones too), in stage then round order, with their
    positions and the names of who started, completed or wrote them, as plain rows (read only:
    a service changes a round through `current_records`). Two queries, built once."""
    positions: dict[int, list[PositionRow]] = {}
    for p in db.session.execute(_POSITION_ROWS, {"case_id": case.id}):
        positions.setdefault(p.stage_record_id, []).append(PositionRow(
            id=p.id, party=p.party, text=p.text, dissent=p.dissent, is_final=p.is_final, created_at=p.created_at,
            author=Person(p.author_id, p.author_name)))
    rows = []
    for r in db.session.execute(_ROUND_ROWS, {"case_id": case.id}):
        rows.append(RoundRow(
            id=r.id, case_id=r.case_id, stage_code=r.stage_code, round=r.round, status=r.status,
            started_at=r.started_at, completed_at=r.completed_at, content=dict(r.content or {}),
            proposal_delivered_at=r.proposal_delivered_at, negotiation_ended_at=r.negotiation_ended_at,
            end_mode=r.end_mode, decision_date=r.decision_date, approved_on=r.approved_on,
            superseded_at=r.superseded_at, reopen_reason=r.reopen_reason,
            started_by=Person(r.starter_id, r.starter_name) if r.starter_id is not None else None,
            completed_by=Person(r.completer_id, r.completer_name) if r.completer_id is not None else None,
            positions=tuple(positions.get(r.id, ()))))
    return sorted(rows, key=lambda row: (stage_index(row.stage_code), row.round))


def facts_for(case: Case, records: Mapping[Stage, StageRound] | None = None) -> dl.Facts:
    """The deadline engine's input for one case (a fixed number of queries)."""
    records = records if records is not None else current_records(case)
    return deadline_facts(case, records, first_meetings([case.id]).get(case.id), central_requests_of(case),
                          current_round_codes(overrides_of(case), case_rounds([case.id])[case.id]))


def facts_for_cases(cases: Sequence[Case]) -> dict[int, dl.Facts]:
    """Facts for many cases in four queries (lists, dashboard): no N+1."""
    return records_and_facts_for_cases(cases)[1]


# The columns of a `RecordDates`, in its fields' order.
_DATE_COLUMNS = (StageRecord.case_id, StageRecord.stage_code, StageRecord.status, StageRecord.proposal_delivered_at,
                 StageRecord.negotiation_ended_at, StageRecord.end_mode, StageRecord.decision_date,
                 StageRecord.approved_on)

CaseRecords = dict[int, dict[Stage, RecordDates]]

# A current round that carries something the deadline engine or the decision's blockers read.
_CARRIES_FACTS = and_(
    StageRecord.superseded_at.is_(None), StageRecord.stage_code.in_(FACT_STAGES),
    or_(StageRecord.status == StageStatus.COMPLETED, StageRecord.proposal_delivered_at.is_not(None),
        StageRecord.negotiation_ended_at.is_not(None), StageRecord.end_mode.is_not(None),
        StageRecord.approved_on.is_not(None)))


@dataclass(frozen=True)
class ProcedureReads:
    """What the lists, the dashboard and the to-do list read of many cases' procedure, by case id:
    the current rounds of the stages the deadline engine and the decision's blockers look at
    (`FACT_STAGES`, as `RecordDates`: what they read, as plain data), every central-negotiation
    request, and the deadline engine's facts.

    `records` holds only the rounds that carry something those read: completed, or with a
    proposal delivered, a negotiation end (or its mode) or an approval. A round still pending
    with none of them reads exactly as no round to `deadline_facts`, `decision_possible` and
    `gates.decision_blockers`, so it is not read (most of a list's rounds are such)."""

    records: CaseRecords = field(default_factory=dict)
    requests: dict[int, list[CentralNegotiationRequest]] = field(default_factory=dict)
    facts: dict[int, dl.Facts] = field(default_factory=dict)


def records_and_facts_for_cases(cases: Sequence[Case]) -> tuple[CaseRecords, dict[int, dl.Facts]]:
    """The current rounds (`ProcedureReads.records`) and the facts of many cases in four queries."""
    reads = procedure_reads(cases)
    return reads.records, reads.facts


@cache
def _reads_statements(dialect: str) -> tuple[Select, Select, Select]:
    """`procedure_reads`' statements, built once per dialect (the list pages and the dashboard run
    them on every view): the dated rounds, the central requests and the overrides of `:ids`."""
    return (
        select(StageRecord.superseded_at, *_DATE_COLUMNS).where(
            ids_clause(StageRecord.case_id, dialect), or_(StageRecord.superseded_at.is_not(None), _CARRIES_FACTS)),
        select(CentralNegotiationRequest).where(ids_clause(CentralNegotiationRequest.case_id, dialect))
        .options(lazyload(CentralNegotiationRequest.requested_by)),
        select(DeadlineOverride.case_id, DeadlineOverride.deadline_code, DeadlineOverride.round)
        .where(ids_clause(DeadlineOverride.case_id, dialect)),
    )


def procedure_reads(cases: Sequence[Case]) -> ProcedureReads:
    """`ProcedureReads` of many cases in four queries, whatever their number."""
    unique = list({c.id: c for c in cases}.values())
    ids = [c.id for c in unique]
    if not ids:
        return ProcedureReads()
    records: CaseRecords = {i: {} for i in ids}
    # The frozen rounds come along (few: one row per stage and reopening) for the case's round
    # number, which `case_rounds` would read in a query of its own. Current rounds: only those
    # that carry something (see ProcedureReads).
    frozen: dict[int, set[datetime]] = {i: set() for i in ids}
    dated, central, overrides = _reads_statements(dialect_name())
    params = {IDS: ids_value(ids)}
    for row in db.session.execute(dated, params):
        if row.superseded_at is not None:
            frozen[row.case_id].add(row.superseded_at)
            continue
        record = RecordDates(*row[1:])
        records[record.case_id][record.stage_code] = record
    rounds = {case_id: 1 + len(ends) for case_id, ends in frozen.items()}  # as `case_rounds`
    requests: dict[int, list[CentralNegotiationRequest]] = {i: [] for i in ids}
    for req in db.session.execute(central, params).scalars().unique():
        requests[req.case_id].append(req)
    overridden: dict[int, set[str]] = {i: set() for i in ids}
    for case_id, code, round_ in db.session.execute(overrides, params):
        if round_ is None or round_ == rounds[case_id]:  # item 1: an override belongs to its round
            overridden[case_id].add(code)
    meetings = first_meetings(ids)
    return ProcedureReads(records, requests, {
        c.id: deadline_facts(c, records[c.id], meetings.get(c.id), requests[c.id], overridden[c.id]) for c in unique})


def today() -> date:
    """Today in the organisation's time zone."""
    return local_date(utcnow())


def deadlines_for(case: Case) -> list[dl.Deadline]:
    """Every deadline of the case with its basis (computed, never stored)."""
    return dl.compute(facts_for(case), today())


def gate_reasons(case: Case, records: Mapping[Stage, StageRound],
                 facts: GateFacts | None = None) -> dict[Stage, list[str]]:
    """Each active stage's completion reasons (a fixed number of queries when `facts` is not given)."""
    if case.is_archived:
        return {}
    return gates.gate_reasons(case, records, facts if facts is not None else gate_facts(case, records))


def archive_reasons(case: Case, records: Mapping[Stage, StageRound]) -> list[str]:
    """Why the case cannot be archived yet (no query)."""
    return gates.archive_reasons(case, records)


def reasons_closed(case: Case, stage_code: str) -> list[str]:
    """Every reason the stage's next action is refused now; empty = the gate is open."""
    records = current_records(case)
    return gates.reasons_closed(case, Stage(stage_code), records, gate_facts(case, records))


def decision_blockers(case: Case, decided_on: date | None = None) -> list[Blocker]:
    """(deadline code, reason, earliest date) for everything that blocks a decision now."""
    records = current_records(case)
    return blockers_from(case, records, facts_for(case, records), decided_on or today())


def blockers_from(case: Case, records: Mapping[Stage, StageDates], facts: dl.Facts, day: date) -> list[Blocker]:
    """What blocks a decision on `day`, from records and facts already read (no query)."""
    return gates.decision_blockers(case, records, facts, day)


def assert_meeting_allowed(case: Case, starts_at: datetime) -> None:
    """fi-municipal with possible reductions: no meeting before proposal delivery + lead days."""
    facts = facts_for(case)
    if not dl.proposal_rule_applies(facts) or dl.EARLIEST_FIRST_MEETING in facts.overridden:
        return
    earliest = dl.earliest_first_meeting(facts)
    lead = int(facts.settings["proposal_lead_days"])
    if earliest is None:
        raise DeadlineNotReached(
            _("Den skriftliga förhandlingsframställan måste lämnas minst %(days)d dagar före första mötet.",
              days=lead), earliest=None, code=dl.EARLIEST_FIRST_MEETING)
    if local_date(starts_at) < earliest:
        raise DeadlineNotReached(
            _("Första mötet kan hållas tidigast %(day)s (förhandlingsframställan + %(days)d dagar).",
              day=earliest.isoformat(), days=lead),
            earliest=earliest, code=dl.EARLIEST_FIRST_MEETING)


def assert_meeting_not_frozen(case: Case, starts_at: datetime) -> None:
    """A meeting that starts before the current negotiation round began belongs to a frozen round:
    it and its minutes refuse every change (Conflict with the reason). One query."""
    began = negotiation_round_start(case)
    if began is not None and _aware(starts_at) < began:
        raise Conflict(_("Mötet hör till en tidigare omgång, som frystes när förhandlingen återupptogs %(when)s; "
                         "det och dess protokoll kan inte ändras.", when=to_local(began).strftime("%Y-%m-%d %H:%M")))


def assert_stage_item_not_frozen(case: Case, stage_code: str, created_at: datetime) -> None:
    """A comment (or another per-stage item) made before a round of its stage was frozen belongs to
    that frozen round and refuses changes. One query."""
    frozen = db.session.execute(
        select(func.max(StageRecord.superseded_at)).where(
            StageRecord.case_id == case.id, StageRecord.stage_code == stage_code,
            StageRecord.superseded_at.is_not(None))
    ).scalar()
    if frozen is not None and _aware(created_at) <= _aware(frozen):
        raise Conflict(_("Det här hör till en tidigare omgång av skedet, som frystes %(when)s, och kan inte "
                         "ändras.", when=to_local(_aware(frozen)).strftime("%Y-%m-%d %H:%M")))


def position_party(user: User, case: Case) -> Party | None:
    """The party the user speaks for in this case (their steering membership; the runner speaks
    for the employer), or None."""
    member = roster.membership_of(user, case)
    if member is not None and member.party:
        return Party(member.party)
    if can_run_procedure(user, case):
        return Party.EMPLOYER
    return None


def is_chair(user: User, case: Case) -> bool:
    """A current chair of the case's steering group."""
    member = roster.membership_of(user, case)
    return member is not None and member.role == MemberRole.CHAIR
