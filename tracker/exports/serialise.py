"""How the procedure record spells values: times, people and audit events (a leaf module that
`record` and `sections` both use)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, overload

from tracker.audit.canonical import format_time
from tracker.auth.models import User

# The fields of an audit event that enter its hash, in the order exports list them.
EVENT_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action",
    "target_type", "target_id", "case_id", "client_address", "payload",
)


def iso(value: datetime | date | None) -> str | None:
    """UTC instants in the audit spelling (microseconds, Z); dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_time(value)
    return value.isoformat()


@overload
def person(user: User) -> dict[str, Any]: ...
@overload
def person(user: None) -> None: ...
@overload
def person(user: User | None) -> dict[str, Any] | None: ...


def person(user: User | None) -> dict[str, Any] | None:
    """A user as the record names them: id, name and organisation."""
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "organisation": user.organisation.name if user.organisation else None}


def plain(value: Any) -> Any:
    """JSON-safe copy of stored content (dates as ISO strings)."""
    if isinstance(value, (datetime, date)):
        return iso(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def event_fields(event: Any) -> dict[str, Any]:
    """The hashed fields of an event (a model instance or a row), as the canonical form spells them."""
    return {
        "seq": event.seq,
        "occurred_at": format_time(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "case_id": event.case_id,
        "client_address": event.client_address,
        "payload": event.payload if event.payload is not None else {},
    }


def event_actor(event: Any) -> dict[str, Any] | None:
    """The actor an event names (a snapshot: the user may since have changed or gone)."""
    if event.actor_id is None:
        return None
    return {"id": event.actor_id, "name": event.actor_name, "organisation": None}
