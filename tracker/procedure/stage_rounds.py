"""A stage round as the pages read it, as a type both a `StageRecord` and a plain row satisfy.

The case page shows every round of every stage (frozen ones too) with its positions and the
names of who started, completed or wrote them. Read as ORM objects (identity map, change
tracking, a joined user and organisation per person) they cost a tenth of the page; `RoundRow`
carries the same fields as plain data, read as columns (`tracker.procedure.queries.all_records`).
The gates, the facts and the round history take a `StageRound`, so the services' `StageRecord`s
(the rounds they change) and the page's rows go through the same rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from tracker.procedure.enums import EndMode, Stage, StageStatus
from tracker.procedure.record_dates import StageDates
from tracker.steering.models import Party


class Named(Protocol):
    """Someone shown by name (a `User`, or a `Person` row)."""

    @property
    def name(self) -> str: ...


class StagePositionView(Protocol):
    """What a page shows of a party's position in a stage round."""

    @property
    def party(self) -> Party: ...
    @property
    def text(self) -> str: ...
    @property
    def dissent(self) -> bool: ...
    @property
    def is_final(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def author(self) -> Named: ...


class StageRound(StageDates, Protocol):
    """The fields of a stage round the gates, the facts, the round history and the pages read
    (the deadline engine's `StageDates` and the rest)."""

    @property
    def id(self) -> int: ...
    @property
    def case_id(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def content(self) -> dict[str, Any]: ...
    @property
    def superseded_at(self) -> datetime | None: ...
    @property
    def reopen_reason(self) -> str | None: ...
    @property
    def started_by(self) -> Named | None: ...
    @property
    def completed_by(self) -> Named | None: ...
    @property
    def positions(self) -> Sequence[StagePositionView]: ...


@dataclass(frozen=True, slots=True)
class Person:
    """A person by id and name."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PositionRow:
    """A party's position as plain data."""

    id: int
    party: Party
    text: str
    dissent: bool
    is_final: bool
    created_at: datetime
    author: Person


@dataclass(frozen=True, slots=True)
class RoundRow:
    """A stage round as plain data (read only: change a round through its `StageRecord`)."""

    id: int
    case_id: int
    stage_code: Stage
    round: int
    status: StageStatus
    started_at: datetime | None
    completed_at: datetime | None
    content: dict[str, Any]
    proposal_delivered_at: datetime | None
    negotiation_ended_at: datetime | None
    end_mode: EndMode | None
    decision_date: date | None
    approved_on: date | None
    superseded_at: datetime | None
    reopen_reason: str | None
    started_by: Person | None = None
    completed_by: Person | None = None
    positions: tuple[PositionRow, ...] = field(default=())

    @property
    def is_frozen(self) -> bool:
        return self.superseded_at is not None
