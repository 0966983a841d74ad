"""iCalendar (RFC 5545) files for meetings, generated with the `icalendar` library (escaping, folding)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app, has_app_context
from icalendar import Calendar, Event

from tracker.meetings.links import is_safe_meeting_link
from tracker.meetings.models import Meeting
from tracker.timeutil import utcnow

CRLF = "\r\n"


def _uid_domain() -> str:
    if has_app_context():
        return current_app.config.get("ICS_UID_DOMAIN") or "samverkan.invalid"
    return "samverkan.invalid"


def meeting_uid(meeting: Meeting) -> str:
    """The event's stable UID (the same across edits, so calendars update it)."""
    return f"meeting-{meeting.id}@{_uid_domain()}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def meeting_event(meeting: Meeting, *, case_label: str = "", description: str = "",
                  stamp: datetime | None = None) -> Event:
    """The meeting's VEVENT; every text goes through the library's TEXT escaping."""
    summary = meeting.title if not case_label else f"{meeting.title} ({case_label})"
    # A link stored before links were validated (or otherwise unsafe) is left out, never written raw.
    link = meeting.link if is_safe_meeting_link(meeting.link or "") else ""
    location = meeting.place or link
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", _utc(stamp or utcnow()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("sequence", meeting.sequence or 0)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if link:
        event.add("url", link)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def meeting_ics(meeting: Meeting, *, case_label: str = "", description: str = "",
                stamp: datetime | None = None) -> str:
    """A VCALENDAR with one VEVENT for the meeting (METHOD:CANCEL once it is cancelled)."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//Samverkan//Meetings//SV")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if meeting.is_cancelled else "PUBLISH")
    calendar.add_component(meeting_event(meeting, case_label=case_label, description=description, stamp=stamp))
    return calendar.to_ical(sorted=False).decode("utf-8")


def unfold(text: str) -> Iterable[str]:
    """The logical content lines of an iCalendar text (for tests and readers)."""
    return text.replace(CRLF + " ", "").split(CRLF)[:-1]
