"""Audit events, signed checkpoints and the record of verification runs."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from tracker.db_types import StrEnumType
from tracker.extensions import Model, db
from tracker.timeutil import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class TamperKind(StrEnum):
    """What the verifier found at the first broken link (docs/audit-format.md)."""

    MODIFIED = "modified"
    INSERTED = "inserted"
    DELETED = "deleted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    BAD_SIGNATURE = "bad_signature"
    REWRITTEN = "rewritten"
    UNCOVERED = "uncovered"
    NO_CHECKPOINT = "no_checkpoint"
    TREE = "tree"


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_case_seq", "case_id", "seq"),
        Index("ix_audit_events_action_seq", "action", "seq"),
        Index("ix_audit_events_actor_seq", "actor_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # No FK on actor_id: the trail must outlive any row it mentions.
    actor_id: Mapped[int | None] = mapped_column()
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column()
    client_address: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditTreeNode(Model):
    """One perfect subtree of the Merkle tree over the events (docs/audit-format.md, "Merkle tree").

    (level, idx) covers leaves [idx * 2**level, (idx + 1) * 2**level); level 0 holds the leaf
    hashes. Written with each event, never changed: proofs and roots read O(log n) of these.
    """

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Model):
    """A signed checkpoint of the log, made with a key kept outside the database.

    Current checkpoints are C2SP tlog-checkpoint signed notes (`note`: origin, size, root hash,
    signature line); `seq`/`size` is the tree size (= the head's seq), `root` the raw root hash,
    `head_hash` the chain hash of the event at `seq`. Checkpoints from before the Merkle tree have
    no note and are checked by their `samverkan-audit-checkpoint/v1` signature.

    Writing a checkpoint is deliberately not itself an audit event: the event would move the
    head the checkpoint just signed (and recurse). `reason` and `created_by_id` are unsigned
    bookkeeping.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(20), default="manual")
    created_by_id: Mapped[int | None] = mapped_column()
    root: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text, default="")
    size = synonym("seq")


class AuditCosignature(Model):
    """A witness's cosignature (C2SP tlog-cosignature v1) on one of the log's checkpoints.

    Bookkeeping like the checkpoint itself: the line verifies with the witness's public key from
    the configuration (AUDIT_WITNESSES), not with anything in the database.
    """

    __tablename__ = "audit_cosignatures"
    __table_args__ = (Index("ix_audit_cosignatures_witness_size", "witness_name", "tree_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_checkpoints.id", ondelete="SET NULL"), index=True)
    witness_name: Mapped[str] = mapped_column(String(200))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))  # base64 of the 32-byte root, as in the note
    cosignature: Mapped[str] = mapped_column(Text)  # the "— name base64" line
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the witness's own timestamp
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditTimestamp(Model):
    """An RFC 3161 time-stamp token from the configured TSA over a checkpoint's signed note."""

    __tablename__ = "audit_timestamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_checkpoints.id", ondelete="SET NULL"), index=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    tsa_url: Mapped[str] = mapped_column(String(500))
    response: Mapped[bytes] = mapped_column(LargeBinary)  # the DER TimeStampResp, as the TSA sent it
    gen_time: Mapped[datetime] = mapped_column(UTCDateTime())  # the TSA's time
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditVerification(Model):
    """One run of the verifier (CLI or the "verify now" button): bookkeeping for the badge."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ok: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[TamperKind | None] = mapped_column(StrEnumType(TamperKind, 20))
    first_bad_seq: Mapped[int | None] = mapped_column(BigInteger)
    events_checked: Mapped[int] = mapped_column(BigInteger, default=0)
    head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    checkpoint_seq: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="cli")
    actor_id: Mapped[int | None] = mapped_column()
    duration_ms: Mapped[int] = mapped_column(default=0)
