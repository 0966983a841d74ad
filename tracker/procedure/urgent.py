"""The mandatory negotiation after an urgent decision (synnerliga skäl): PURE, no clock, no database.

Recording the urgent decision opens the task; it is due `urgent_negotiation_days` (a profile
setting, default 14) after the day it was recorded, and done once the negotiation has been held and
closed (the current round of the closing stage is completed). Until then the case cannot be archived.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class UrgentTask:
    """The mandatory negotiation as a task: opened on, due, done, and its state on `today`."""

    opened_on: date
    due: date
    done: bool
    overdue: bool

    @property
    def open(self) -> bool:
        return not self.done


def urgent_task(recorded_on: date | None, settings: Mapping[str, Any], *, closing_completed: bool,
                today: date) -> UrgentTask | None:
    """The task of a case whose urgent decision was recorded on `recorded_on` (None: no task)."""
    if recorded_on is None:
        return None
    days = int(settings.get("urgent_negotiation_days", DEFAULT_DAYS) or DEFAULT_DAYS)
    due = recorded_on + timedelta(days=days)
    return UrgentTask(opened_on=recorded_on, due=due, done=closing_completed,
                      overdue=not closing_completed and today > due)
