"""Offline verification of the audit chain and its signed checkpoints.

The walk streams events in `seq` order, recomputes every hash and checks every link; it stops
at the first problem and names its `seq` and kind:

- ``modified``: an event's content no longer matches its hash (or an earlier event was edited
  and re-hashed, so its successor's link points at a hash that no longer exists);
- ``inserted``: a row that the chain does not link (the real successor follows it);
- ``deleted``: a gap in `seq`, or a row renumbered to close one;
- ``reordered``: a row whose predecessor appears later in the chain;
- ``truncated``: the chain is shorter than a signed checkpoint says it was;
- ``bad_signature``: a checkpoint whose signature (or key id) does not verify;
- ``rewritten``: every hash is consistent, but a signed checkpoint names a different head at
  its `seq` (the chain was recomputed without the signing key). The change lies after the last
  matching checkpoint and at or before this one (`suspect_range`).
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, Text, cast, func, select, type_coerce

from tracker.audit.canonical import _dumps, canonical_text, chain_hash, format_time
from tracker.audit.chain import current_head
from tracker.audit.checkpoints import checkpoint_dict, configured_public_keys, signature_valid
from tracker.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditVerification, TamperKind
from tracker.auth.models import User
from tracker.extensions import db
from tracker.timeutil import utcnow


@dataclass
class VerificationResult:
    """What a verification found. `ok` is True only for an intact chain and checkpoints."""

    ok: bool = True
    events_checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    last_checkpoint: dict[str, Any] | None = None
    checkpoints_checked: int = 0
    first_bad_seq: int | None = None
    kind: TamperKind | None = None
    message: str = ""
    suspect_range: tuple[int, int] | None = None
    case_id: int | None = None
    case_events: int = 0
    case_first_seq: int | None = None
    case_last_seq: int | None = None
    case_affected: bool = False
    duration_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The result as plain data (for --json)."""
        return asdict(self)


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


_WALK_SQL = (
    "SELECT seq, occurred_at, actor_id, actor_name, actor_role, action, target_type, target_id, "
    "case_id, client_address, payload, prev_hash, hash FROM audit_events ORDER BY seq"
)
# PostgreSQL spells the time as the hash does and hands the payload over as its stored text (a
# `json` column keeps the text as written: canonical, see canonical.storage_dumps).
_WALK_SQL_PG = (
    "SELECT seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor_id, "
    "actor_name, actor_role, action, target_type, target_id, case_id, client_address, payload::text, "
    "prev_hash, hash FROM audit_events ORDER BY seq"
)


def _rows(sqlite: bool, batch_size: int) -> Iterator[Any]:
    """Every event in seq order, streamed through the driver's own cursor.

    The walk is the hot loop (>= 100k events/s), so it bypasses SQLAlchemy's per-row result
    processing; it still runs on the session's connection and transaction.
    """
    raw: Any = db.session.connection().connection.driver_connection
    if sqlite:
        cursor = raw.cursor()
        cursor.arraysize = batch_size
    else:
        # A server-side cursor on PostgreSQL: constant memory for any chain length.
        cursor = raw.cursor(name="audit_verify_walk")
        cursor.itersize = batch_size
    try:
        cursor.execute(_WALK_SQL if sqlite else _WALK_SQL_PG)
        while True:
            batch = cursor.fetchmany(batch_size)
            if not batch:
                break
            yield from batch
    finally:
        cursor.close()


def _row_at(seq: int, sqlite: bool) -> Any | None:
    return db.session.execute(_select_rows(sqlite).where(AuditEvent.seq == seq)).first()


def _classify_link_break(row: Any, seq: int, prev: str, sqlite: bool) -> tuple[int, TamperKind, str]:
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


def external_checkpoints(bundle: dict[str, Any]) -> list[SimpleNamespace]:
    """Checkpoints from an exported bundle (`export_bundle()` / `audit export-checkpoints`)."""
    return [SimpleNamespace(seq=int(c["seq"]), head_hash=c["head_hash"], signed_at=c["signed_at"],
                            key_id=c["key_id"], signature=c["signature"], reason=c.get("reason", "external"))
            for c in bundle.get("checkpoints", [])]


# (seq, order, kind, message, suspect range): the earliest seq wins; at one seq the chain's own
# problem (order 0) comes before a checkpoint's (order 1).
Problem = tuple[int, int, TamperKind, str, tuple[int, int] | None]


@dataclass
class _Walk:
    """What the walk over the stored events found."""

    checked: int = 0
    verified_head: int = 0
    problem: Problem | None = None
    last_good_checkpoint: int = 0
    case_events: int = 0
    case_first: int | None = None
    case_last: int | None = None


def _checkpoints(extra_checkpoints: Iterable[Any]) -> list[Any]:
    """Stored checkpoints plus the external ones not already stored, by seq."""
    checkpoints: list[Any] = list(db.session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)).scalars())
    known = {(c.seq, c.signature) for c in checkpoints}
    checkpoints += [c for c in extra_checkpoints if (c.seq, c.signature) not in known]
    checkpoints.sort(key=lambda c: c.seq)
    return checkpoints


def _check_signatures(checkpoints: list[Any], keys: dict[str, Any]) -> tuple[dict[int, list[Any]], list[Problem]]:
    """Checkpoints whose signature verifies (by seq), and a problem for each that does not."""
    good: dict[int, list[Any]] = {}
    problems: list[Problem] = []
    for cp in checkpoints:
        if signature_valid(cp, keys):
            good.setdefault(cp.seq, []).append(cp)
        else:
            why = "unknown key id " + cp.key_id if cp.key_id not in keys else "signature does not verify"
            problems.append((cp.seq, 1, TamperKind.BAD_SIGNATURE, f"checkpoint at seq {cp.seq}: {why}", None))
    return good, problems


def _hash_time(when: Any) -> str:
    """The stored time in the hash's spelling (fast paths for the two common stored forms)."""
    if isinstance(when, str) and len(when) == 26 and when[10] == " ":
        return when[:10] + "T" + when[11:] + "Z"  # SQLAlchemy's SQLite format
    if not isinstance(when, str) or len(when) != 27 or when[10] != "T":
        return _time_text(when)
    return when


def _digest(row: Any, seq: int, when: str, prev_bytes: bytes) -> str | None:
    """The hash row `seq` should carry after `prev_bytes`, from its stored columns (None: not JSON)."""
    payload = row[10]  # the stored text: canonical unless written in another spelling
    try:
        text = canonical_text(seq, when, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                              "null" if payload is None else payload)
        digest: str | None = hashlib.sha256(prev_bytes + text.encode("utf-8")).hexdigest()
    except TypeError:
        digest = None
    if digest == row[12]:
        return digest
    # Stored in another spelling (or with unusual column types): parse and spell it again.
    try:
        body = {
            "seq": seq, "occurred_at": when, "actor_id": row[2], "actor_name": row[3],
            "actor_role": row[4], "action": row[5], "target_type": row[6], "target_id": row[7],
            "case_id": row[8], "client_address": row[9],
            "payload": None if payload is None else json.loads(payload),
        }
        return hashlib.sha256(prev_bytes + _dumps(body).encode("utf-8")).hexdigest()
    except ValueError:  # not JSON at all
        return None


def _walk(sqlite: bool, batch_size: int, good_checkpoints: dict[int, list[Any]], case_id: int | None) -> _Walk:
    """Stream every event in seq order, recompute its hash and link; stop at the first problem."""
    walk = _Walk()
    expected, prev = 1, GENESIS_HASH
    prev_bytes = prev.encode("ascii")
    for row in _rows(sqlite, batch_size):
        walk.checked += 1
        seq = row[0]
        if seq != expected:
            walk.problem = ((expected, 0, TamperKind.DELETED, f"events {expected}..{seq - 1} are missing", None)
                            if seq > expected else (seq, 0, TamperKind.INSERTED, f"event {seq} appears twice", None))
            break
        if row[11] != prev:
            bad, kind, message = _classify_link_break(row, seq, prev, sqlite)
            walk.problem = (bad, 0, kind, message, None)
            break
        digest = _digest(row, seq, _hash_time(row[1]), prev_bytes)
        if digest is None or digest != row[12]:
            walk.problem = (seq, 0, TamperKind.MODIFIED, f"event {seq}'s content does not match its hash", None)
            break
        prev, prev_bytes = digest, digest.encode("ascii")
        if seq in good_checkpoints:
            if any(cp.head_hash != digest for cp in good_checkpoints[seq]):
                walk.problem = (seq, 0, TamperKind.REWRITTEN,
                                f"the signed checkpoint at seq {seq} names another head; the chain was "
                                f"changed after seq {walk.last_good_checkpoint} and re-hashed",
                                (walk.last_good_checkpoint + 1, seq))
                break
            walk.last_good_checkpoint = seq
        if case_id is not None and row[8] == case_id:
            walk.case_events += 1
            walk.case_last = seq
            walk.case_first = seq if walk.case_first is None else walk.case_first
        expected += 1
    walk.verified_head = expected - 1
    return walk


def _end_of_chain(walk: _Walk, checkpoints: list[Any], good: dict[int, list[Any]],
                  result: VerificationResult) -> Problem | None:
    """An intact walk: is the chain shorter than a checkpoint says? Warn about what is not covered."""
    head = walk.verified_head
    beyond = [s for s in good if s > head]
    if beyond:
        return (head + 1, 0, TamperKind.TRUNCATED,
                f"a signed checkpoint names seq {max(beyond)}, but the chain ends at {head}", (head + 1, max(beyond)))
    if head and not checkpoints:
        result.warnings.append("no signed checkpoints: a truncated tail or a rewritten chain cannot be detected")
    elif head > max(good, default=0):
        result.warnings.append(f"events after seq {max(good, default=0)} are not covered by a checkpoint yet")
    return None


def _case_report(result: VerificationResult, walk: _Walk, case_id: int) -> None:
    result.case_events = walk.case_events
    result.case_first_seq, result.case_last_seq = walk.case_first, walk.case_last
    if result.ok:
        return
    total, last = db.session.execute(
        select(func.count(AuditEvent.id), func.max(AuditEvent.seq)).where(AuditEvent.case_id == case_id)
    ).one()
    result.case_events = total
    result.case_last_seq = last
    lower = result.suspect_range[0] if result.suspect_range else result.first_bad_seq
    result.case_affected = last is not None and lower is not None and last >= lower


def verify_chain(*, public_keys: dict[str, Any] | None = None, case_id: int | None = None,
                 extra_checkpoints: Iterable[Any] = (), batch_size: int = 20000) -> VerificationResult:
    """Walk the whole chain and check the checkpoints; never writes.

    `extra_checkpoints` (e.g. from a copy kept outside the database) are checked like stored
    ones, so deleting checkpoints from the database does not hide a truncation or rewrite.
    """
    started = time.perf_counter()
    result = VerificationResult(case_id=case_id)
    keys = configured_public_keys() if public_keys is None else public_keys
    sqlite = db.session.get_bind().dialect.name == "sqlite"

    checkpoints = _checkpoints(extra_checkpoints)
    good, problems = _check_signatures(checkpoints, keys)
    result.checkpoints_checked = len(checkpoints)
    if checkpoints:
        result.last_checkpoint = checkpoint_dict(checkpoints[-1])

    walk = _walk(sqlite, batch_size, good, case_id)
    result.events_checked = walk.checked
    result.head_seq, result.head_hash = current_head()
    problem = walk.problem if walk.problem is not None else _end_of_chain(walk, checkpoints, good, result)
    if problem is not None:
        problems.append(problem)

    if problems:
        seq, _, kind, message, suspect = min(problems, key=lambda p: (p[0], p[1]))
        result.ok = False
        result.first_bad_seq, result.kind, result.message, result.suspect_range = seq, kind, message, suspect
    else:
        result.message = "intact"
    if case_id is not None:
        _case_report(result, walk, case_id)
    result.duration_seconds = time.perf_counter() - started
    return result


def store_result(result: VerificationResult, *, source: str, actor: User | None = None) -> AuditVerification:
    """Keep a verification run for the badge (bookkeeping, not an audit event; no commit)."""
    row = AuditVerification(
        verified_at=utcnow(), ok=result.ok, kind=result.kind, first_bad_seq=result.first_bad_seq,
        events_checked=result.events_checked, head_seq=result.head_seq, head_hash=result.head_hash,
        checkpoint_seq=(result.last_checkpoint or {}).get("seq"), message=result.message[:2000],
        source=source, actor_id=actor.id if actor is not None else None,
        duration_ms=int(result.duration_seconds * 1000),
    )
    db.session.add(row)
    db.session.flush()
    return row
