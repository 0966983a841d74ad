"""iCalendar (RFC 5545) files for meetings, written by hand: a handful of properties, exactly."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app, has_app_context

from tracker.timeutil import utcnow

CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1): CRLF + one space, never inside a UTF-8 character."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def format_utc(value: datetime) -> str:
    """DATE-TIME in UTC form (19980119T070000Z)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_domain() -> str:
    if has_app_context():
        return current_app.config.get("ICS_UID_DOMAIN") or "samverkan.invalid"
    return "samverkan.invalid"


def meeting_uid(meeting) -> str:
    return f"meeting-{meeting.id}@{_uid_domain()}"


def meeting_ics(meeting, *, case_label: str = "", description: str = "", stamp: datetime | None = None) -> str:
    """A VCALENDAR with one VEVENT for the meeting (METHOD:CANCEL once it is cancelled)."""
    summary = meeting.title if not case_label else f"{meeting.title} ({case_label})"
    location = meeting.place or meeting.link or ""
    lines: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Samverkan//Meetings//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:" + ("CANCEL" if meeting.is_cancelled else "PUBLISH"),
        "BEGIN:VEVENT",
        "UID:" + meeting_uid(meeting),
        "DTSTAMP:" + format_utc(stamp or utcnow()),
        "DTSTART:" + format_utc(meeting.starts_at),
        "DTEND:" + format_utc(meeting.ends_at),
        "SEQUENCE:" + str(meeting.sequence or 0),
        "SUMMARY:" + escape_text(summary),
    ]
    if location:
        lines.append("LOCATION:" + escape_text(location))
    if meeting.link:
        lines.append("URL:" + meeting.link)
    if description:
        lines.append("DESCRIPTION:" + escape_text(description))
    lines.append("STATUS:" + ("CANCELLED" if meeting.is_cancelled else "CONFIRMED"))
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)


def unfold(text: str) -> Iterable[str]:
    """The logical content lines of an iCalendar text (for tests and readers)."""
    return text.replace(CRLF + " ", "").split(CRLF)[:-1]
