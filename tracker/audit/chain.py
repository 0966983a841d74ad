"""The chain's head and the lock that serialises appends: shared by `record()` and checkpoints."""
from __future__ import annotations

from sqlalchemy import select, text

from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.extensions import db

# Arbitrary constant naming the advisory lock that serialises appends on PostgreSQL.
AUDIT_LOCK_KEY = 0x5A4D_A0D1


def lock_chain() -> None:
    """Serialise appends until the caller's transaction ends."""
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's RESERVED lock before the head is read, so two
        # processes cannot both read the same head (an "immediate" transaction from here on).
        session.execute(text("UPDATE audit_events SET seq = seq WHERE 0"))


def current_head() -> tuple[int, str]:
    """(seq, hash) of the newest event, or (0, 64 zeros) for an empty trail."""
    row = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)
