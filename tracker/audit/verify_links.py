"""Classifying a broken link of the hash chain: what the verifier names at the first bad seq."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, select, type_coerce

from tracker.audit.canonical import _dumps, chain_hash, format_time
from tracker.audit.models import AuditEvent, TamperKind
from tracker.extensions import db

_COLUMNS = (
    AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.actor_name,
    AuditEvent.actor_role, AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id,
    AuditEvent.case_id, AuditEvent.client_address, AuditEvent.payload,
    AuditEvent.prev_hash, AuditEvent.hash,
)


def _select_rows(sqlite: bool) -> Select[Any]:
    """Rows shaped like the walk's: the payload as its stored text (the time as text on SQLite)."""
    columns: list[Any] = list(_COLUMNS)
    if sqlite:
        columns[1] = type_coerce(AuditEvent.occurred_at, Text).label("occurred_at")
        columns[10] = type_coerce(AuditEvent.payload, Text).label("payload")
    else:
        columns[10] = cast(AuditEvent.payload, Text).label("payload")
    return select(*columns)


def _time_text(value: Any) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, str):
        # SQLAlchemy's SQLite storage format: "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:] + "Z"
        return format_time(datetime.fromisoformat(value))
    return str(value)


def _payload(value: Any, sqlite: bool) -> Any:  # noqa: ARG001 - rows of both databases carry text
    if isinstance(value, str):
        return json.loads(value)
    return value


def _canonical(row: Any, seq: int, sqlite: bool) -> bytes:
    """The canonical bytes of a row as stored (b"" when its payload is not JSON: matches no hash)."""
    try:
        payload = _payload(row[10], sqlite)
    except ValueError:
        return b""
    body = {
        "seq": seq,
        "occurred_at": _time_text(row[1]),
        "actor_id": row[2],
        "actor_name": row[3],
        "actor_role": row[4],
        "action": row[5],
        "target_type": row[6],
        "target_id": row[7],
        "case_id": row[8],
        "client_address": row[9],
        "payload": payload,
    }
    return _dumps(body).encode("utf-8")


def _row_at(seq: int, sqlite: bool) -> Any | None:
    return db.session.execute(_select_rows(sqlite).where(AuditEvent.seq == seq)).first()


def classify_link_break(row: Any, seq: int, prev: str, sqlite: bool) -> tuple[int, TamperKind, str]:
    """Row `seq` does not link to the verified hash `prev`: work out what happened."""
    claimed = row[11]
    later = db.session.execute(
        select(AuditEvent.seq).where(AuditEvent.hash == claimed, AuditEvent.seq > seq)
    ).scalar_one_or_none()
    if later is not None:
        return seq, TamperKind.REORDERED, f"event {seq} claims event {later} as its predecessor"
    following = _row_at(seq + 1, sqlite)
    if following is not None and following[11] == prev:
        return seq, TamperKind.INSERTED, f"event {seq} is not linked by the chain; event {seq + 1} follows {seq - 1}"
    if chain_hash(claimed, _canonical(row, seq, sqlite)) == row[12]:
        if following is None:
            return seq, TamperKind.INSERTED, f"event {seq} at the head links to no known event"
        if seq == 1:
            return 1, TamperKind.MODIFIED, "the first event does not start from the genesis hash"
        return (seq - 1, TamperKind.MODIFIED,
                f"event {seq - 1} was changed and re-hashed; event {seq} no longer links to it")
    for shift in (1, 2, 3):
        if chain_hash(claimed, _canonical(row, seq + shift, sqlite)) == row[12]:
            return seq, TamperKind.DELETED, f"event {seq} is missing; later events were renumbered by {shift}"
    return seq, TamperKind.MODIFIED, f"event {seq} does not link to event {seq - 1} and its hash does not match"
