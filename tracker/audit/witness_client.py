"""Sending checkpoints to the witnesses (C2SP tlog-witness add-checkpoint) and keeping their
cosignatures.

On `checkpoint_written` the receiver queues one submission for after the commit (a rolled-back
checkpoint is sent nowhere). The submission runs in an app context of its own, so in its own
session and transaction: for each configured witness it sends the checkpoint with the consistency
proof from the size that witness last cosigned (from `audit_cosignatures`), answers a 409 by
proving from the size the witness reports, verifies the cosignature with the witness's configured
key and stores it. A refusal or an unreachable witness is logged and notified to every auditor and
administrator (once per witness, problem and day); `flask audit witness-submit` retries. A
configured TSA is asked for an RFC 3161 time-stamp in the same step (tracker/audit/timestamps.py).
"""
from __future__ import annotations

import importlib
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask, current_app, has_request_context
from sqlalchemy import func, select

from tracker.audit.models import AuditCosignature, AuditEvent
from tracker.audit.timestamps import TimestampFailed, timestamp_checkpoint, tsa_configured
from tracker.audit.witness_config import WitnessConfig, configured_witnesses
from tracker.auth.models import Role, User, UserRole
from tracker.extensions import db
from tracker.notifications.models import NotificationKind
from tracker.notifications.services import app_path, notify
from tracker.timeutil import local_date, utcnow
from tracker.unit_of_work import after_commit, unit_of_work
from tracker.witness_program import merkle
from tracker.witness_program.notes import (
    NoteError,
    cosignature_valid,
    parse_checkpoint,
    parse_signature_line,
    split_note,
)
from tracker.witness_program.state import format_submission

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What one witness did with one checkpoint."""

    witness: str
    ok: bool
    problem: str = ""  # "refused" | "unreachable" | "bad_cosignature" | "ahead"
    detail: str = ""


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 consistency proof between two sizes of the log's tree.

    From the stored tree (tracker.audit.tree) when it is there; otherwise recomputed from the
    events' hashes (O(n), the fallback until the tree is stored).
    """
    try:
        tree: Any = importlib.import_module("tracker.audit.tree")
    except ImportError:
        tree = None
    if tree is not None and hasattr(tree, "consistency_proof"):
        return list(tree.consistency_proof(db.session, old_size, new_size))
    hashes = db.session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq).limit(new_size)).scalars()
    leaves = [merkle.leaf_hash(bytes.fromhex(h)) for h in hashes]
    return merkle.consistency_proof(leaves, old_size, new_size)


def last_cosigned_size(witness_name: str) -> int:
    """The largest tree size this witness has cosigned, as far as the app knows (0: none)."""
    size = db.session.execute(select(func.max(AuditCosignature.tree_size))
                              .where(AuditCosignature.witness_name == witness_name)).scalar_one_or_none()
    return int(size or 0)


def _post(url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})
    timeout = float(current_app.config.get("AUDIT_WITNESS_TIMEOUT_SECONDS") or 5)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(4096).decode("utf-8", "replace")


def store_cosignature(witness: WitnessConfig, checkpoint_id: int | None, text: str,
                      response: str) -> AuditCosignature | None:
    """Keep the first line of `response` that is a valid cosignature by `witness` on `text` (no commit)."""
    checkpoint = parse_checkpoint(text)
    for line in response.splitlines():
        try:
            signature = parse_signature_line(line)
        except NoteError:
            continue
        timestamp = cosignature_valid(text, signature, witness.verifier)
        if timestamp is None:
            continue
        row = AuditCosignature(
            checkpoint_id=checkpoint_id, witness_name=witness.name, tree_size=checkpoint.size,
            root_hash=checkpoint.root_b64, cosignature=signature.line.rstrip("\n"),
            cosigned_at=_from_unix(timestamp), received_at=utcnow())
        db.session.add(row)
        db.session.flush()
        return row
    return None


def _from_unix(timestamp: int) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC)


def submit_to(witness: WitnessConfig, note: str, checkpoint_id: int | None = None) -> Outcome:
    """Send one checkpoint note to one witness; store its cosignature (no commit)."""
    text, _signatures = split_note(note)
    size = parse_checkpoint(text).size
    old = min(last_cosigned_size(witness.name), size)
    for _attempt in range(MAX_ATTEMPTS):
        body = format_submission(old, consistency_proof(old, size) if old else [], note)
        try:
            status, answer = _post(witness.url, body)
        except (OSError, ValueError) as error:
            return Outcome(witness.name, False, "unreachable", str(error))
        if status == 200:
            if store_cosignature(witness, checkpoint_id, text, answer) is None:
                return Outcome(witness.name, False, "bad_cosignature", answer[:200])
            return Outcome(witness.name, True)
        if status == 409 and answer.strip().isdigit():
            old = int(answer.strip())
            if old > size:
                return Outcome(witness.name, False, "ahead",
                               f"the witness has cosigned {old} events, the log has {size}")
            continue
        return Outcome(witness.name, False, "refused", f"HTTP {status}: {answer.strip()[:300]}")
    return Outcome(witness.name, False, "refused", "the witness kept answering 409 Conflict")


def alert(outcome: Outcome) -> None:
    """Log the problem and notify every active auditor and administrator (once a day per problem)."""
    log.warning("witness %s: %s (%s)", outcome.witness, outcome.problem, outcome.detail)
    watchers = db.session.execute(
        select(User).join(UserRole).where(UserRole.role.in_([Role.ADMIN, Role.AUDITOR]), User.active.is_(True))
    ).scalars().unique().all()
    day = local_date(utcnow()).isoformat()
    params = {"witness": outcome.witness, "problem": outcome.problem, "detail": outcome.detail}
    for watcher in watchers:
        notify(watcher, NotificationKind.WITNESS_PROBLEM, params, url=app_path("audit.index"),
               dedup_key=f"witness:{outcome.witness}:{outcome.problem}:{day}:{watcher.id}")


def submit_checkpoint(note: str, checkpoint_id: int | None = None) -> list[Outcome]:
    """Send a checkpoint note to every configured witness, alerting on each failure (no commit)."""
    outcomes = []
    for witness in configured_witnesses(current_app.config):
        try:
            outcome = submit_to(witness, note, checkpoint_id)
        except (NoteError, ValueError) as error:
            outcome = Outcome(witness.name, False, "refused", str(error))
        if not outcome.ok:
            alert(outcome)
        outcomes.append(outcome)
    return outcomes


def certify_checkpoint(note: str, checkpoint_id: int | None = None) -> list[Outcome]:
    """Cosignatures from every witness and, when a TSA is configured, its time-stamp (no commit)."""
    outcomes = submit_checkpoint(note, checkpoint_id)
    if tsa_configured():
        url = str(current_app.config["AUDIT_TSA_URL"])
        try:
            timestamp_checkpoint(note, checkpoint_id)
            outcomes.append(Outcome(url, True))
        except (TimestampFailed, OSError, ValueError) as error:
            outcome = Outcome(url, False, "tsa", str(error))
            alert(outcome)
            outcomes.append(outcome)
    return outcomes


def _submit_after_commit(app: Flask, note: str, checkpoint_id: int | None) -> None:
    # A fresh app context: a session and a transaction of its own (the caller's has just committed).
    with app.app_context(), unit_of_work():
        certify_checkpoint(note, checkpoint_id)


def on_checkpoint_written(sender: Any, checkpoint: Any = None, **_kwargs: Any) -> None:
    """The `checkpoint_written` receiver: submit the checkpoint once its transaction commits."""
    note = getattr(checkpoint, "note", None)
    if not note or not (configured_witnesses(current_app.config) or tsa_configured()):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = partial(_submit_after_commit, app, note, getattr(checkpoint, "id", None))
    if app.config.get("AUDIT_WITNESS_BACKGROUND", True) and has_request_context():
        # Off the committing request's path: a slow witness must not slow a user's action. A lost
        # submission heals itself, as the next checkpoint is proven from the witness's own size.
        # (A command or job submits before it ends: a daemon thread would die with the process.)
        after_commit(lambda: threading.Thread(target=job, name="witness-submit", daemon=True).start())
    else:
        after_commit(job)
