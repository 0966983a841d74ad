"""The canonical byte form of an audit event and its chain hash (see docs/audit-format.md)."""
from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
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

# Largest integer every JSON implementation reads exactly (IEEE 754 double).
MAX_SAFE_INTEGER = 2**53 - 1

_dumps = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


# How JSON columns are stored (the engine's json_serializer): the canonical spelling, so that a
# stored audit payload is already its canonical text and the verifier can hash it as read.
# (NaN stays allowed here; audit payloads are normalised before they are stored.)
storage_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode

_string = json.encoder.encode_basestring  # json.dumps's own (C) string encoder, ensure_ascii=False


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    if type(value) is int:
        return str(value)
    raise TypeError


def canonical_text(seq: int, occurred_at: str, actor_id: int | None, actor_name: str | None,
                   actor_role: str | None, action: str, target_type: str | None, target_id: str | None,
                   case_id: int | None, client_address: str | None, payload_json: str) -> str:
    """The canonical JSON of an event from its columns, `occurred_at` already in the hash's spelling
    and the payload already canonical JSON text: what `canonical_json` gives, without building and
    sorting a dict (the verifier's hot loop). TypeError for a value that is not a str, int or None.
    """
    return (f'{{"action":{_scalar(action)},"actor_id":{_scalar(actor_id)},"actor_name":{_scalar(actor_name)},'
            f'"actor_role":{_scalar(actor_role)},"case_id":{_scalar(case_id)},'
            f'"client_address":{_scalar(client_address)},"occurred_at":{_scalar(occurred_at)},'
            f'"payload":{payload_json},"seq":{_scalar(seq)},"target_id":{_scalar(target_id)},'
            f'"target_type":{_scalar(target_type)}}}')


def format_time(value: datetime) -> str:
    """ISO 8601 UTC with microseconds and a Z, the one spelling the hash uses."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain_float_ok(value: float) -> bool:
    # In this range Python's repr() and ECMAScript's Number.toString() both give the shortest
    # round-trip digits in plain (non-exponent) notation, so any language can reproduce them.
    return 1e-4 <= abs(value) < 1e16


def normalise_value(value: Any) -> Any:
    """A JSON value whose canonical spelling is the same in every language.

    Integral floats become integers, other floats outside the plain-notation range, NaN,
    infinities and integers beyond ±(2**53-1) become strings; keys become strings.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
            return int(value)
        return value if _plain_float_ok(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): normalise_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise_value(v) for v in value]
    return str(value)


def canonical_json(event: dict[str, Any]) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, non-ASCII kept as is."""
    body = {key: event[key] for key in HASHED_FIELDS}
    if isinstance(body["occurred_at"], datetime):
        body["occurred_at"] = format_time(body["occurred_at"])
    return _dumps(body).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """hash = SHA-256(prev_hash as 64 ASCII hex digits ‖ canonical JSON)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()
