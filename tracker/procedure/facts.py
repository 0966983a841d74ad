"""What the gates and the deadline engine need to know about a case, read in one place.

`gate_facts(case, records)` reads the other features' models directly (steering members, risk
assessments, counter-proposals, meetings) and the procedure's own overrides and central requests,
in a fixed number of queries, and returns a frozen `GateFacts`. The gates
(`tracker.procedure.gates`) and the deadline engine (`tracker.procedure.deadlines`) are pure
functions of those facts: they never query.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Subquery, bindparam, func, or_, select
from sqlalchemy.orm import defaultload

from tracker.auth.loading import NAME_ONLY
from tracker.cases.models import Case
from tracker.discussion.models import CounterProposal
from tracker.extensions import db
from tracker.id_lists import IDS, dialect_name, ids_clause, ids_value, in_ids
from tracker.meetings.models import Meeting, Minutes, MinutesStatus
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.models import CentralNegotiationRequest, DeadlineOverride, StageRecord
from tracker.procedure.profiles import Profile, get_profile
from tracker.procedure.record_dates import StageDates
from tracker.procedure.stage_rounds import StageRound
from tracker.risk.models import RiskAssessment
from tracker.steering import roster
from tracker.steering.models import Party
from tracker.timeutil import local_date, utcnow

Records = Mapping[Stage, StageRound]


@dataclass(frozen=True)
class GateFacts:
    """Everything the stage gates look at, gathered before they run."""

    profile: Profile
    deadlines: dl.Facts
    parties_present: frozenset[Party] = frozenset()
    personnel_units: frozenset[str] = frozenset()
    risk_assessed: bool = False
    risk_cosigned: bool = False
    risk_waiver_recorded: bool = False
    open_counter_proposals: int = 0
    # Negotiation meetings of the current round that have been held (not cancelled, started):
    # how many, the stages they discussed, and how many have minutes approved by both parties.
    held_meetings: int = 0
    held_meeting_stages: frozenset[str] = frozenset()
    approved_minutes: int = 0
    # The negotiated stages walked in the current round (what its meetings must cover).
    round_stages: tuple[Stage, ...] = ()


# The per-case statements of the case page are built once: SQLAlchemy then finds their compiled
# form without rebuilding and re-hashing the statement (its loader options most of all) each time.
_OVERRIDES = (select(DeadlineOverride).where(DeadlineOverride.case_id == bindparam("case_id"))
              .order_by(DeadlineOverride.id).options(defaultload(DeadlineOverride.by).options(*NAME_ONLY)))


def overrides_of(case: Case) -> list[DeadlineOverride]:
    """The case's deadline overrides (non-compliances), oldest first. One query."""
    return list(db.session.execute(_OVERRIDES, {"case_id": case.id}).scalars().unique())


def case_rounds(case_ids: list[int]) -> dict[int, int]:
    """Each case's current round (1 + the number of reopenings; one reopening freezes several
    records at the same instant). One query."""
    rows = db.session.execute(
        select(StageRecord.case_id, func.count(func.distinct(StageRecord.superseded_at)))
        .where(in_ids(StageRecord.case_id, case_ids), StageRecord.superseded_at.is_not(None))
        .group_by(StageRecord.case_id)
    ).all()
    counts = {case_id: int(n) for case_id, n in rows}
    return {case_id: 1 + counts.get(case_id, 0) for case_id in case_ids}


def current_round_codes(overrides: Iterable[DeadlineOverride], round_: int) -> list[str]:
    """Item 1 of issue 14: an override passes only the gates of the round it was given in (a row
    from before rounds were recorded, `round` None, keeps counting as it did)."""
    return [o.deadline_code for o in overrides if o.round is None or o.round == round_]


_CENTRAL_REQUESTS = (
    select(CentralNegotiationRequest).where(CentralNegotiationRequest.case_id == bindparam("case_id"))
    .order_by(CentralNegotiationRequest.id)
    .options(defaultload(CentralNegotiationRequest.requested_by).options(*NAME_ONLY)))


def central_requests_of(case: Case) -> list[CentralNegotiationRequest]:
    """The case's central-negotiation requests, oldest first. One query."""
    return list(db.session.execute(_CENTRAL_REQUESTS, {"case_id": case.id}).scalars().unique())


# A reopening of any of these stages restarts the negotiation (the closing stage goes back to
# pending and its end must be recorded again): the current round begins at the latest such
# reopening. A reopening of the decision or evaluation leaves the negotiation's round as it was.
NEGOTIATION_STAGES = (Stage.EARLY_INFORMATION, Stage.GROUNDS, Stage.EFFECTS, Stage.ALTERNATIVES, Stage.CLOSING)


# The stages a negotiation meeting must have covered before closing (se-mbl).
NEGOTIATED_STAGES = (Stage.GROUNDS, Stage.EFFECTS, Stage.ALTERNATIVES)


def _round_starts(dialect: str) -> Subquery:
    """Subquery (case_id, began): the instant each case of `:ids` began its current negotiation
    round, for the cases that have had a reopening of a negotiation stage."""
    return (
        select(StageRecord.case_id.label("case_id"), func.max(StageRecord.superseded_at).label("began"))
        .where(ids_clause(StageRecord.case_id, dialect), StageRecord.superseded_at.is_not(None),
               StageRecord.stage_code.in_(NEGOTIATION_STAGES))
        .group_by(StageRecord.case_id).subquery()
    )


@cache
def _first_meetings_statement(dialect: str) -> Select:
    """`first_meetings`' statement, built once per dialect (the list pages run it on every view)."""
    round_start = _round_starts(dialect)
    return (select(Meeting.case_id, func.min(Meeting.starts_at))
            .outerjoin(round_start, round_start.c.case_id == Meeting.case_id)
            .where(ids_clause(Meeting.case_id, dialect), Meeting.cancelled_at.is_(None),
                   or_(round_start.c.began.is_(None), Meeting.starts_at >= round_start.c.began))
            .group_by(Meeting.case_id))


def first_meetings(case_ids: list[int]) -> dict[int, datetime]:
    """The first (not cancelled) meeting of the current negotiation round per case. One query.

    The round begins when its stage was reopened (the latest `superseded_at` of a frozen round of
    a negotiation stage, the same instant as the reopened stage's new `started_at`); a meeting
    belongs to it when it starts at or after that instant. Without a reopening every meeting counts.
    """
    if not case_ids:
        return {}
    rows = db.session.execute(_first_meetings_statement(dialect_name()), {IDS: ids_value(case_ids)}).all()
    return {case_id: _aware(value) for case_id, value in rows if value is not None}


def negotiation_round_start(case: Case) -> datetime | None:
    """The instant the current negotiation round began (None: round 1). One query."""
    began = db.session.execute(
        select(func.max(StageRecord.superseded_at)).where(
            StageRecord.case_id == case.id, StageRecord.superseded_at.is_not(None),
            StageRecord.stage_code.in_(NEGOTIATION_STAGES))
    ).scalar()
    return _aware(began) if began is not None else None


def round_stages(records: Records, began: datetime | None) -> tuple[Stage, ...]:
    """The negotiated stages walked in the negotiation round that began at `began`: all of them in
    round 1; after a reopening, those whose current record started at or after it (not yet started
    counts: it will be walked in this round)."""
    return tuple(code for code in NEGOTIATED_STAGES if began is None or (
        (rec := records.get(code)) is not None and (rec.started_at is None or _aware(rec.started_at) >= began)))


def _aware(value: datetime | str) -> datetime:
    # SQLite's MIN() returns naive UTC (or its text form): the column type does not apply to aggregates.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _of_current_round(request: CentralNegotiationRequest, ended: datetime | None) -> bool:
    """A request belongs to the current closing round when made at or after its end (a pending one
    always counts): an earlier round's requests neither use nor lock the new round's window."""
    return request.is_pending or (ended is not None and request.requested_at >= ended)


def deadline_facts(case: Case, records: Mapping[Stage, StageDates], first_meeting: datetime | None,
                   requests: Iterable[CentralNegotiationRequest], overridden: Iterable[str], *,
                   as_of: datetime | None = None) -> dl.Facts:
    """The deadline engine's input from records already read (pure: no query). `as_of` (a frozen
    round's end): a request counts as pending when it had not ended by then."""
    early = records.get(Stage.EARLY_INFORMATION)
    closing = records.get(Stage.CLOSING)
    decision = records.get(Stage.DECISION)
    evaluation = records.get(Stage.EVALUATION)
    ended = closing.negotiation_ended_at if closing else None
    delivered = early.proposal_delivered_at if early else None
    return dl.Facts(
        settings=get_profile(case.profile_code).settings,
        may_reduce_staff=case.may_reduce_staff,
        staff_affected=case.staff_affected,
        proposal_delivered_on=local_date(delivered) if delivered else None,
        first_meeting_on=local_date(first_meeting) if first_meeting else None,
        negotiation_ended_on=local_date(ended) if ended else None,
        end_mode=closing.end_mode if closing else None,
        central_requests=tuple(dl.CentralRequestFact(local_date(r.requested_at), r.timely,
                                                       _pending_at(r, as_of))
                               for r in requests if _of_current_round(r, ended)),
        decision_on=decision.decision_date if decision and decision.status == StageStatus.COMPLETED else None,
        evaluation_approved_on=evaluation.approved_on if evaluation else None,
        overridden=frozenset(overridden),
    )


def _pending_at(request: CentralNegotiationRequest, as_of: datetime | None) -> bool:
    if as_of is None or request.ended_at is None:
        return request.is_pending
    return _aware(request.ended_at) >= as_of


def round_start_of(rounds: Iterable[StageRound]) -> datetime | None:
    """`negotiation_round_start` from every round of the case's records, already read (pure)."""
    ends = [_aware(r.superseded_at) for r in rounds
            if r.superseded_at is not None and r.stage_code in NEGOTIATION_STAGES]
    return max(ends) if ends else None


def round_number_of(rounds: Iterable[StageRound]) -> int:
    """`case_rounds` of one case from every round of its records, already read (pure)."""
    return 1 + len({_aware(r.superseded_at) for r in rounds if r.superseded_at is not None})


_MEETINGS = (select(Meeting.starts_at, Meeting.stages, Minutes.status)
             .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
             .where(Meeting.case_id == bindparam("case_id"), Meeting.cancelled_at.is_(None)))
_MEETINGS_SINCE = _MEETINGS.where(Meeting.starts_at >= bindparam("began"))


def round_meetings(case: Case, began: datetime | None) -> list[tuple[datetime, list[str], bool]]:
    """(start, stages discussed, minutes approved by both) of each meeting of the negotiation round
    that began at `began` that is not cancelled, held or still to come. One query."""
    rows = (db.session.execute(_MEETINGS, {"case_id": case.id}) if began is None
            else db.session.execute(_MEETINGS_SINCE, {"case_id": case.id, "began": began}))
    return [(_aware(starts), list(stages or ()), status == MinutesStatus.APPROVED) for starts, stages, status in rows]


def _count(column: Any, *where: Any) -> Any:
    return select(func.count(column)).where(*where).scalar_subquery()


_RISK = RiskAssessment.case_id == bindparam("case_id")
_RISK_AND_PROPOSAL_COUNTS = select(
    _count(RiskAssessment.id, _RISK),
    _count(RiskAssessment.id, _RISK, RiskAssessment.cosigned_at.is_not(None)),
    _count(RiskAssessment.id, _RISK, RiskAssessment.waiver_reason.is_not(None), RiskAssessment.waiver_reason != ""),
    _count(CounterProposal.id, CounterProposal.case_id == bindparam("case_id"), CounterProposal.answered_at.is_(None),
           CounterProposal.withdrawn_at.is_(None)),
)


def _risk_and_proposal_counts(case: Case) -> tuple[int, int, int, int]:
    """How many risk assessments the case has, cosigned ones, ones with a recorded waiver, and its
    open counter-proposals: one statement of four counts."""
    row = db.session.execute(_RISK_AND_PROPOSAL_COUNTS, {"case_id": case.id}).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def gate_facts(case: Case, records: Records, *, requests: list[CentralNegotiationRequest] | None = None,
               overrides: list[DeadlineOverride] | None = None,
               rounds: Iterable[StageRound] | None = None) -> GateFacts:
    """Every fact the gates need for one case: a fixed number of queries, fewer when the requests,
    the overrides or every round of the records (`rounds`, frozen ones too) are given."""
    members = [(m.party, m.units) for m in roster.current(case)]
    risk_assessed, risk_cosigned, risk_waived, open_proposals = _risk_and_proposal_counts(case)
    requests = central_requests_of(case) if requests is None else requests
    overrides = overrides_of(case) if overrides is None else overrides
    if rounds is None:
        began, round_number = negotiation_round_start(case), case_rounds([case.id])[case.id]
    else:
        rounds = list(rounds)
        began, round_number = round_start_of(rounds), round_number_of(rounds)
    meetings = round_meetings(case, began)
    now = utcnow()
    held = [(stages, approved) for starts, stages, approved in meetings if starts <= now]
    units: set[str] = set()
    for party, member_units in members:
        if party == Party.PERSONNEL:
            units.update(member_units or ())
    return GateFacts(
        profile=get_profile(case.profile_code),
        deadlines=deadline_facts(case, records, min((starts for starts, *_rest in meetings), default=None),
                                 requests, current_round_codes(overrides, round_number)),
        parties_present=frozenset(Party(party) for party, _units in members),
        personnel_units=frozenset(units),
        risk_assessed=risk_assessed > 0,
        risk_cosigned=risk_cosigned > 0,
        risk_waiver_recorded=risk_waived > 0,
        open_counter_proposals=open_proposals,
        held_meetings=len(held),
        held_meeting_stages=frozenset(stage for stages, _approved in held for stage in stages),
        approved_minutes=sum(1 for _stages, approved in held if approved),
        round_stages=round_stages(records, began),
    )
