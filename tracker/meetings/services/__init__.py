"""Meetings and minutes: the business rules (meetings.py, minutes.py). Services flush and audit;
they never commit."""
from __future__ import annotations

from tracker.meetings.queries import minutes_of, signatures_of
from tracker.meetings.services.meetings import cancel_meeting, record_attendance, schedule_meeting, update_meeting
from tracker.meetings.services.minutes import (
    MAX_MINUTES_CHARS,
    approve_minutes,
    refuse_minutes,
    save_minutes,
    sha256_of,
    submit_minutes,
)

__all__ = [
    "MAX_MINUTES_CHARS", "approve_minutes", "cancel_meeting", "minutes_of", "record_attendance", "refuse_minutes",
    "save_minutes", "schedule_meeting", "sha256_of", "signatures_of", "submit_minutes", "update_meeting",
]
