"""The procedure's vocabulary as StrEnums (a leaf module: no Flask, no database).

Each member equals its stored string, so other features comparing a stage code with "grounds"
keep working. The words for each member live in `tracker.procedure.labels`.
"""
from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """The stages of the cooperation procedure, in walking order."""

    EARLY_INFORMATION = "early_information"
    GROUNDS = "grounds"
    EFFECTS = "effects"
    ALTERNATIVES = "alternatives"
    CLOSING = "closing"
    DECISION = "decision"
    EVALUATION = "evaluation"


class StageStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"


class EndMode(StrEnum):
    AGREEMENT = "agreement"
    DISAGREEMENT = "disagreement"
    WRITTEN_NOTICE = "written_notice"


class DeadlineCode(StrEnum):
    """Codes of the deadlines and locks the engine reports; an override names one of these."""

    EARLIEST_FIRST_MEETING = "earliest_first_meeting"
    MIN_NEGOTIATION = "min_negotiation_period"
    EARLIEST_DECISION = "earliest_decision"
    CENTRAL_WINDOW = "central_negotiation_window"
    CENTRAL_PENDING = "central_negotiation_pending"
    EVALUATION_DUE = "evaluation_due"
    CLOSING_NOT_ENDED = "closing_not_ended"


class DeadlineStatus(StrEnum):
    """Where a deadline stands on a given organisation-local date (each has a text label)."""

    UPCOMING = "upcoming"
    DUE_TODAY = "due_today"
    MET = "met"
    MISSED = "missed"
    LOCKED = "locked"
    LIFTED = "lifted"
    # No date yet: the record it counts from is not there (e.g. no meeting held).
    AWAITING = "awaiting"
