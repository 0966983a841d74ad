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
- ``rewritten``: every hash is consistent, but a signed checkpoint names a different tree at
  its size (the chain was recomputed without the signing key, or the log forked). The first
  changed event is found through the stored Merkle tree when that still matches the checkpoint;
  otherwise it lies after the last matching checkpoint and at or before this one (`suspect_range`);
- ``uncovered``: an event older than AUDIT_CHECKPOINT_INTERVAL_SECONDS has no checkpoint;
- ``no_checkpoint``: events but no valid checkpoint at all, in production;
- ``tree``: the stored Merkle tree (which proofs are made from) does not match the events.
"""
from __future__ import annotations

import gc
import hashlib
import json
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from tracker.audit import merkle, tree
from tracker.audit import verify_batch as batch_module
from tracker.audit import verify_ends as ends
from tracker.audit import verify_parallel as parallel
from tracker.audit import verify_rows as rows
from tracker.audit import verify_sources as sources
from tracker.audit.canonical import _dumps, canonical_text
from tracker.audit.chain import current_head
from tracker.audit.checkpoints import checkpoint_dict, configured_public_keys
from tracker.audit.models import GENESIS_HASH, AuditEvent, AuditVerification, TamperKind
from tracker.audit.verify_links import _time_text, classify_link_break
from tracker.audit.verify_sources import Problem, external_checkpoints, from_note, load_checkpoint_file
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
    tree_edge: list[bytes] | None = None


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


def _matches(cp: Any, root: bytes, head: str) -> bool:
    """A checkpoint with a root names the tree; one from before the tree names the head's hash."""
    return cp.root == root if getattr(cp, "root", None) is not None else cp.head_hash == head


def _link_problem(row: Any, seq: int, expected: int, prev: str, sqlite: bool) -> Problem | None:
    if seq != expected:
        return ((expected, 0, TamperKind.DELETED, f"events {expected}..{seq - 1} are missing", None)
                if seq > expected else (seq, 0, TamperKind.INSERTED, f"event {seq} appears twice", None))
    if row[11] != prev:
        bad, kind, message = classify_link_break(row, seq, prev, sqlite)
        return (bad, 0, kind, message, None)
    return None


def _slow_problem(seq: int, expected: int, prev_bytes: bytes, sqlite: bool) -> tuple[Problem | None, bytes]:
    """The fast text of row `seq` did not fit: check the full row as the original walk did.
    Returns (the problem, or None with the row's raw digest when it is fine after all)."""
    row = rows.full_row(seq, sqlite)
    problem = _link_problem(row, seq, expected, prev_bytes.decode("ascii"), sqlite)
    if problem is not None:
        return problem, b""
    digest = _digest(row, seq, _hash_time(row[1]), prev_bytes)
    if digest is None or digest != row[12]:
        return (seq, 0, TamperKind.MODIFIED, f"event {seq}'s content does not match its hash", None), b""
    return None, bytes.fromhex(digest)


class _Walker:
    """The walk's position: the next expected seq, the verified hash before it and the compact
    range of the recomputed tree over everything verified so far (its size is expected - 1)."""

    def __init__(self, sqlite: bool, good: dict[int, list[Any]], tree_check_size: int) -> None:
        self.walk = _Walk()
        self.sqlite, self.good, self.tree_check_size = sqlite, good, tree_check_size
        self.marks = sorted(set(good) | {tree_check_size})
        self.expected, self.prev_bytes = 1, GENESIS_HASH.encode("ascii")
        self.stack: list[bytes] = []

    def mark(self, seq: int, stored: str) -> bool:
        """At a checkpoint's size (or the stored tree's): check or keep the recomputed tree."""
        if seq == self.tree_check_size:
            self.walk.tree_edge = list(self.stack)
        if seq in self.good and not _checkpoints_match(self.walk, self.good[seq], merkle.fold(self.stack), stored):
            self.walk.checked = seq
            return False
        return True

    def batch(self, batch: list[Any]) -> bool:
        """Check a batch at once; walk it row by row when it does not fit. False: stop here."""
        seqs, texts, hashes = zip(*batch, strict=True)
        if type(texts[0]) is not bytes:  # both databases hand over bytes; text only from elsewhere
            texts = tuple(t if type(t) is bytes else t.encode("utf-8") for t in texts)
        try:
            raws = batch_module.chain_digests(seqs, texts, hashes, self.expected, self.prev_bytes)
        except TypeError:  # a text that is neither bytes nor str
            raws = None
        if raws is None:
            return self.rows(batch)
        first = self.expected
        lo, hi = bisect_left(self.marks, first), bisect_right(self.marks, first + len(raws) - 1)
        done = first
        for seq in self.marks[lo:hi]:
            batch_module.extend(self.stack, done - 1, raws[done - first:seq - first + 1])
            done = seq + 1
            if not self.mark(seq, hashes[seq - first]):
                self.expected = seq
                return False
        batch_module.extend(self.stack, done - 1, raws[done - first:])
        self.expected = first + len(raws)
        self.prev_bytes = hashes[-1].encode("ascii")
        return True

    def span(self, first: int | None, last: int | None, batch_size: int) -> bool:
        """Walk the stored rows `first`..`last` (None: no bound) batch by batch. False: stop here."""
        return all(self.batch(batch) for batch in rows.fast_batches(self.sqlite, batch_size, first, last))

    def chunks(self, split: tuple[parallel.Source, int, int], batch_size: int) -> bool:
        """The log up to the planned head in chunks checked by worker processes; one that does not
        fit, or holds a checkpoint's size (or the stored tree's) before its end, is walked here."""
        for first, last, future in parallel.chunks(*split):
            chunk = future.result()
            at = bisect_left(self.marks, first)
            inner = at < len(self.marks) and self.marks[at] < last
            if chunk is None or inner or self.expected != first or chunk[0] != self.prev_bytes:
                if not self.span(first, last, batch_size):
                    return False
                continue
            batch_module.push_range(self.stack, first - 1, last - first + 1, chunk[2])
            self.prev_bytes, self.expected = chunk[1].encode("ascii"), last + 1
            if (last in self.good or last == self.tree_check_size) and not self.mark(last, chunk[1]):
                self.expected = last
                return False
        return True

    def rows(self, batch: list[Any]) -> bool:
        """The batch row by row, as the original walk: stops at the first problem, exactly."""
        sha256 = hashlib.sha256
        for seq, spelled, stored in batch:
            text = spelled if type(spelled) is bytes else spelled.encode("utf-8")
            raw = sha256(text).digest()
            if seq != self.expected or not text.startswith(self.prev_bytes) or raw.hex() != stored:
                problem, raw = _slow_problem(seq, self.expected, self.prev_bytes, self.sqlite)
                if problem is not None:
                    self.walk.problem = problem
                    self.walk.checked = self.expected
                    return False
            self.prev_bytes = stored.encode("ascii")
            batch_module.extend(self.stack, seq - 1, (raw,))
            if seq in self.good or seq == self.tree_check_size:
                if not self.mark(seq, stored):
                    return False
            self.expected += 1
        return True


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The walk makes many short-lived row tuples and no cycles; the cyclic collector would walk
    them again and again (a fifth to a third of the walk's time). Switched back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _walk(sqlite: bool, batch_size: int, good: dict[int, list[Any]], tree_check_size: int) -> _Walk:
    """Stream every event in seq order, recompute its hash, link and Merkle leaf; stop at the first
    problem. At each checkpoint's size the recomputed root must be the signed one."""
    walker = _Walker(sqlite, good, tree_check_size)
    walk = walker.walk
    split = _split(sqlite)
    with _without_cyclic_gc():
        if (split is None or walker.chunks(split, batch_size)) and walker.span(
                None if split is None else walker.expected, None, batch_size):
            walk.checked = walker.expected - 1
    walk.verified_head = walker.expected - 1
    return walk


def _split(sqlite: bool) -> tuple[parallel.Source, int, int] | None:
    """How to split a large log across processes (None: walk it in this one). On PostgreSQL the
    workers read in this transaction's snapshot."""
    configured = int(current_app.config.get("AUDIT_VERIFY_PROCESSES", 0))
    if configured == 1:
        return None
    # Two scalar subqueries: SQLite reads min() or max() alone from the index, both at once by a scan.
    lowest, head = db.session.execute(select(select(func.min(AuditEvent.seq)).scalar_subquery(),
                                             select(func.max(AuditEvent.seq)).scalar_subquery())).one()
    split = parallel.plan(parallel.source_of(db.session.get_bind().engine.url), head or 0, lowest, configured)
    if split is None or sqlite:
        return split
    snapshot = db.session.execute(sql_text("SELECT pg_export_snapshot()")).scalar_one()
    return replace(split[0], snapshot=snapshot), split[1], split[2]


def _checkpoints_match(walk: _Walk, checkpoints: list[Any], root: bytes, head: str) -> bool:
    seq = checkpoints[0].seq
    if all(_matches(cp, root, head) for cp in checkpoints):
        walk.last_good_checkpoint = seq
        return True
    walk.problem = (seq, 0, TamperKind.REWRITTEN,
                    f"the signed checkpoint of size {seq} names another tree; the log was "
                    f"changed after seq {walk.last_good_checkpoint} and re-hashed",
                    (walk.last_good_checkpoint + 1, seq))
    return False


def _case_counts(walk: _Walk, case_id: int) -> None:
    """The case's events within the verified part of the log (one aggregate query)."""
    count, first, last = db.session.execute(
        select(func.count(AuditEvent.id), func.min(AuditEvent.seq), func.max(AuditEvent.seq))
        .where(AuditEvent.case_id == case_id, AuditEvent.seq <= walk.verified_head)).one()
    walk.case_events, walk.case_first, walk.case_last = count, first, last


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
                 extra_checkpoints: Iterable[Any] = (), batch_size: int = 20000,
                 production: bool | None = None) -> VerificationResult:
    """Walk the whole log and check it against every checkpoint it knows of; never writes.

    `extra_checkpoints` (copies kept outside the database: witness state, saved notes, bundles)
    are checked like stored ones, so deleting checkpoints from the database hides nothing they cover.
    The files in AUDIT_WITNESS_STATE_FILES are read too.
    """
    started = time.perf_counter()
    result = VerificationResult(case_id=case_id)
    keys = configured_public_keys() if public_keys is None else public_keys
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if production is None:
        production = current_app.config.get("ENV_NAME") == "production"

    extra = [*extra_checkpoints, *sources.witness_state_checkpoints(result.warnings)]
    checkpoints = sources.gather(extra)
    good, problems = sources.check_signatures(checkpoints, keys)
    result.checkpoints_checked = len(checkpoints)
    if checkpoints:
        result.last_checkpoint = checkpoint_dict(checkpoints[-1])

    stored_size = tree.tree_size(db.session)
    walk = _walk(sqlite, batch_size, good, stored_size)
    if case_id is not None:
        _case_counts(walk, case_id)
    result.events_checked = walk.checked
    result.head_seq, result.head_hash = current_head()
    if walk.problem is not None:
        problems.append(ends.narrow_rewrite(walk.problem, good))
    else:
        problems += ends.end_problems(walk.verified_head, walk.last_good_checkpoint, good, production,
                                      result.warnings)
        problems += ends.tree_problems(walk.verified_head, stored_size, walk.tree_edge, result.warnings)

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


__all__ = ["VerificationResult", "external_checkpoints", "from_note", "load_checkpoint_file", "store_result",
           "verify_chain"]
