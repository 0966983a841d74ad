"""Reading the trail for the web pages: filtered, keyset-paginated, a fixed number of queries."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Select, func, select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.timeutil import org_tz

PAGE_SIZE = 50


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    case_id: int | None = None


@dataclass
class EventPage:
    events: list[AuditEvent]
    newer_cursor: int | None  # `after=` for the previous (newer) page
    older_cursor: int | None  # `before=` for the next (older) page


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=org_tz()).astimezone(timezone.utc)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(filters: AuditFilters) -> Select:
    """Events matching the filters (calendar days in the organisation's time zone)."""
    query = select(AuditEvent)
    if filters.case_id is not None:
        query = query.where(AuditEvent.case_id == filters.case_id)
    if filters.actor:
        pattern = f"%{_like_escape(filters.actor.strip().lower())}%"
        query = query.where(func.lower(AuditEvent.actor_name).like(pattern, escape="\\"))
    if filters.action:
        action = filters.action.strip()
        if action.endswith("."):
            query = query.where(AuditEvent.action.like(_like_escape(action) + "%", escape="\\"))
        else:
            query = query.where(
                (AuditEvent.action == action) | AuditEvent.action.like(_like_escape(action) + ".%", escape="\\"))
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= _local_midnight_utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < _local_midnight_utc(filters.date_to + timedelta(days=1)))
    return query


def event_page(filters: AuditFilters, *, before: int | None = None, after: int | None = None,
               size: int = PAGE_SIZE) -> EventPage:
    """One page, newest first; `before`/`after` are seq cursors (one query)."""
    query = filtered(filters)
    if after is not None:
        rows = list(db.session.execute(
            query.where(AuditEvent.seq > after).order_by(AuditEvent.seq.asc()).limit(size + 1)).scalars())
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return EventPage(rows, rows[0].seq if rows and more_newer else None, rows[-1].seq if rows else None)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    rows = list(db.session.execute(query.order_by(AuditEvent.seq.desc()).limit(size + 1)).scalars())
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].seq if rows and before is not None else None
    return EventPage(rows, newer, rows[-1].seq if rows and more_older else None)


def payload_items(payload: Any) -> list[tuple[str, str]]:
    """Payload as (key, text) pairs for display; nested values as compact JSON."""
    if not isinstance(payload, dict):
        return [("", json.dumps(payload, ensure_ascii=False))] if payload is not None else []
    items = []
    for key in sorted(payload):
        value = payload[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        items.append((key, text))
    return items
