"""What the deadline engine and the decision's blockers read of a stage round, as a type both a
`StageRecord` and a plain row satisfy.

The lists, the dashboard and the to-do list compute the facts of up to a few hundred cases per
page; reading their current rounds as ORM objects (identity map, change tracking, lazy loaders
per attribute) cost more than the rest of the page. `RecordDates` carries the same fields as
plain data, read as columns (`tracker.procedure.queries.records_and_facts_for_cases`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tracker.procedure.enums import EndMode, Stage, StageStatus

# The stages whose current round `deadline_facts` and `gates.decision_blockers` look at.
FACT_STAGES = (Stage.EARLY_INFORMATION, Stage.CLOSING, Stage.DECISION, Stage.EVALUATION)


class StageDates(Protocol):
    """The fields of a stage round that `deadline_facts` and `gates.decision_blockers` read (of
    the stages in FACT_STAGES)."""

    @property
    def stage_code(self) -> Stage: ...
    @property
    def status(self) -> StageStatus: ...
    @property
    def proposal_delivered_at(self) -> datetime | None: ...
    @property
    def negotiation_ended_at(self) -> datetime | None: ...
    @property
    def end_mode(self) -> EndMode | None: ...
    @property
    def decision_date(self) -> date | None: ...
    @property
    def approved_on(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class RecordDates:
    """A stage's current round as plain data (read only: change a round through its `StageRecord`)."""

    case_id: int
    stage_code: Stage
    status: StageStatus
    proposal_delivered_at: datetime | None
    negotiation_ended_at: datetime | None
    end_mode: EndMode | None
    decision_date: date | None
    approved_on: date | None
