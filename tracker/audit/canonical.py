"""The canonical byte form of an audit event and its chain hash (see docs/audit-format.md)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "case_id",
    "client_address",
    "payload",
)


def format_time(value: datetime) -> str:
    """ISO 8601 UTC with microseconds and a Z, the one spelling the hash uses."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(event: dict[str, Any]) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, non-ASCII kept as is."""
    body = {key: event[key] for key in HASHED_FIELDS}
    if isinstance(body["occurred_at"], datetime):
        body["occurred_at"] = format_time(body["occurred_at"])
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """hash = SHA-256(prev_hash as 64 ASCII hex digits ‖ canonical JSON)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()
