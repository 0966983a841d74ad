"""The case's rounds: each reopening starts a new one. Earlier rounds keep their own dates and
deadlines, frozen as they stood when the round ended; the record (page, PDF, JSON) shows them all.

A round is the time between two reopenings. Round k ends at the k-th distinct `superseded_at` of
the case's stage records (one reopening freezes several records at the same instant). Within a
frozen round, each stage's record in force is the one frozen at or after the round's end with the
lowest round number; its deadlines are computed from those records, the meetings held in its
negotiation round before it ended, its central-negotiation requests (pending when not ended by the
freeze, even if ended since) and its overrides, on the day it was frozen. The current round's
deadlines are the engine's usual ones.

`round_history(case)` reads everything in four queries, whatever the number of rounds.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.cases.models import Case
from tracker.extensions import db
from tracker.meetings.models import Meeting
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import EndMode, Stage, StageStatus
from tracker.procedure.facts import (
    NEGOTIATION_STAGES,
    _aware,
    case_rounds,
    central_requests_of,
    deadline_facts,
    overrides_of,
)
from tracker.procedure.models import CentralNegotiationRequest, DeadlineOverride
from tracker.procedure.stage_rounds import StageRound
from tracker.timeutil import local_date


@dataclass(frozen=True)
class RoundView:
    """One round of the case with the dates its deadlines count from and the deadlines."""

    number: int
    began_at: datetime | None
    frozen_at: datetime | None
    reopened_stage: Stage | None
    reason: str | None
    proposal_delivered_at: datetime | None
    first_meeting_at: datetime | None
    negotiation_ended_at: datetime | None
    end_mode: EndMode | None
    decision_on: date | None
    deadlines: tuple[dl.Deadline, ...]
    overrides: tuple[DeadlineOverride, ...]

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


def case_round(case: Case) -> int:
    """The number of the case's current round (1 + the number of reopenings). One query."""
    return case_rounds([case.id])[case.id]


def _boundaries(records: Sequence[StageRound]) -> list[datetime]:
    return sorted({_aware(r.superseded_at) for r in records if r.superseded_at is not None})


def _in_force(records: Sequence[StageRound], end: datetime | None) -> dict[Stage, StageRound]:
    """Each stage's record in force just before `end` (None: now, the current records)."""
    out: dict[Stage, StageRound] = {}
    for rec in sorted(records, key=lambda r: r.round):
        stage = Stage(rec.stage_code)
        if stage in out:
            continue
        frozen = rec.superseded_at
        if end is None and frozen is None:
            out[stage] = rec
        elif end is not None and (frozen is None or _aware(frozen) >= end):
            out[stage] = rec
    return out


def _negotiation_start(records: Sequence[StageRound], bounds: list[datetime], k: int) -> datetime | None:
    """The start of the negotiation round in force during round k (1-based): the latest earlier
    reopening that touched a negotiation stage."""
    touched = {_aware(r.superseded_at) for r in records
               if r.superseded_at is not None and r.stage_code in NEGOTIATION_STAGES}
    earlier = [b for b in bounds[:k - 1] if b in touched]
    return earlier[-1] if earlier else None


def _first_meeting(meetings: Sequence[tuple[datetime, datetime | None]], start: datetime | None,
                   end: datetime | None) -> datetime | None:
    times = [at for at, cancelled in meetings if cancelled is None
             and (start is None or at >= start) and (end is None or at < end)]
    return min(times) if times else None


def _round_of_override(o: DeadlineOverride, bounds: list[datetime]) -> int:
    if o.round is not None:
        return o.round
    return 1 + sum(1 for b in bounds if _aware(o.at) >= b)


def _reopened_stage(records: Sequence[StageRound], at: datetime) -> tuple[Stage | None, str | None]:
    """The stage a reopening at `at` reopened (its earliest frozen stage) and the reason."""
    frozen = sorted((r for r in records if r.superseded_at is not None and _aware(r.superseded_at) == at),
                    key=lambda r: list(Stage).index(Stage(r.stage_code)))
    return (Stage(frozen[0].stage_code), frozen[0].reopen_reason) if frozen else (None, None)


def round_history(case: Case, records: Sequence[StageRound] | None = None, *,
                  requests: Sequence[CentralNegotiationRequest] | None = None,
                  overrides: Sequence[DeadlineOverride] | None = None,
                  current: Sequence[dl.Deadline] | None = None) -> list[RoundView]:
    """Every round of the case, oldest first; the last one is the current round (its deadlines
    `current` when the caller computed them already). What is not given is read: four queries."""
    from tracker.procedure.queries import all_records, facts_for, today

    records = list(records) if records is not None else all_records(case)
    bounds = _boundaries(records)
    meetings = [(_aware(at), cancelled) for at, cancelled in db.session.execute(
        select(Meeting.starts_at, Meeting.cancelled_at).where(Meeting.case_id == case.id))]
    requests = central_requests_of(case) if requests is None else requests
    overrides = overrides_of(case) if overrides is None else overrides
    out = []
    for k in range(1, len(bounds) + 2):
        end = bounds[k - 1] if k <= len(bounds) else None
        began = bounds[k - 2] if k >= 2 else None
        in_force = _in_force(records, end)
        mine = tuple(o for o in overrides if _round_of_override(o, bounds) == k)
        first = _first_meeting(meetings, _negotiation_start(records, bounds, k), end)
        if end is None:
            deadlines = list(current) if current is not None else dl.compute(facts_for(case, in_force), today())
        else:
            facts = deadline_facts(case, in_force, first, _requests_before(requests, end),
                                   (o.deadline_code for o in mine), as_of=end)
            deadlines = dl.compute(facts, local_date(end))
        stage, reason = _reopened_stage(records, began) if began is not None else (None, None)
        early, closing, decision = (in_force.get(s) for s in (Stage.EARLY_INFORMATION, Stage.CLOSING, Stage.DECISION))
        out.append(RoundView(
            number=k, began_at=began, frozen_at=end, reopened_stage=stage, reason=reason,
            proposal_delivered_at=early.proposal_delivered_at if early else None,
            first_meeting_at=first,
            negotiation_ended_at=closing.negotiation_ended_at if closing else None,
            end_mode=closing.end_mode if closing else None,
            decision_on=decision.decision_date if decision and decision.status == StageStatus.COMPLETED else None,
            deadlines=tuple(deadlines), overrides=mine))
    return out


def _requests_before(requests: Sequence[CentralNegotiationRequest], end: datetime) -> list[CentralNegotiationRequest]:
    """The requests made before the round ended (`deadline_facts` keeps those of its closing)."""
    return [r for r in requests if _aware(r.requested_at) < end]

