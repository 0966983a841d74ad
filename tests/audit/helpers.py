"""Helpers for audit tests: build chains through record(), tamper with raw SQL as an attacker
with table-owner rights would (on PostgreSQL the append-only trigger is disabled first)."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, text

from tracker.audit.canonical import canonical_json, chain_hash
from tracker.audit.checkpoints import write_checkpoint
from tracker.audit.models import AuditCheckpoint, AuditEvent, AuditTreeNode
from tracker.audit.service import record
from tracker.extensions import db

TABLE = AuditEvent.__table__
COLUMNS = ("occurred_at", "actor_id", "actor_name", "actor_role", "action", "target_type", "target_id",
           "case_id", "client_address", "payload", "prev_hash", "hash")


def is_pg() -> bool:
    return db.engine.dialect.name == "postgresql"


def build_chain(n: int, *, start: int = 1, case_id: int | None = None) -> None:
    """Append n events (committed), with varied content: Unicode, nested payloads, numbers."""
    for i in range(start, start + n):
        record(None, "test.event_recorded", ("thing", i),
               {"i": i, "name": f"Åsa Öberg {i}", "nested": {"b": [1, 2.5, None], "a": True}},
               case_id=case_id if case_id is not None else (i % 3 or None))
    db.session.commit()


def checkpoint() -> AuditCheckpoint:
    cp = write_checkpoint(None)
    db.session.commit()
    return cp


@contextmanager
def attacker():
    """A raw connection with the append-only trigger off, as a table owner could do."""
    from tests.conftest import raw_connection

    db.session.commit()
    db.session.close()
    with raw_connection() as conn:
        if is_pg():
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        yield conn
        if is_pg():
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def _row(conn, seq):
    return conn.execute(select(TABLE).where(TABLE.c.seq == seq)).mappings().one()


def edit_payload(seq: int, payload: dict | None = None) -> None:
    with attacker() as conn:
        conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(payload=payload or {"forged": True}))


def delete_rows(*seqs: int) -> None:
    with attacker() as conn:
        conn.execute(TABLE.delete().where(TABLE.c.seq.in_(seqs)))


def delete_after(seq: int, *, tree_too: bool = False) -> None:
    with attacker() as conn:
        conn.execute(TABLE.delete().where(TABLE.c.seq > seq))
        if tree_too:
            delete_tree_after(conn, seq)


def delete_tree_after(conn, seq: int) -> None:
    """Remove every stored subtree that covers an event after `seq` (a careful attacker's truncation)."""
    nodes = AuditTreeNode.__table__
    for level in range(40):
        # Subtree (level, idx) covers leaves [idx << level, (idx + 1) << level): it includes leaf >= seq
        # when (idx + 1) << level > seq.
        conn.execute(nodes.delete().where(nodes.c.level == level, (nodes.c.idx + 1) * (1 << level) > seq))


def delete_checkpoints() -> None:
    with attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete())


def rebuild_tree() -> None:
    """Recompute the stored Merkle tree from the (tampered) events, as a thorough attacker would."""
    from tracker.audit import tree

    with attacker() as conn:
        conn.execute(AuditTreeNode.__table__.delete())
    tree.backfill(db.session)
    db.session.commit()


def swap(seq: int) -> None:
    """Swap every column but id and seq of events seq and seq+1."""
    with attacker() as conn:
        a, b = dict(_row(conn, seq)), dict(_row(conn, seq + 1))
        conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(prev_hash="x" * 64, hash="y" * 64))
        conn.execute(TABLE.update().where(TABLE.c.seq == seq + 1).values(**{c: a[c] for c in COLUMNS}))
        conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(**{c: b[c] for c in COLUMNS}))


def _fields(row: dict, seq: int) -> dict:
    return {**{c: row[c] for c in COLUMNS}, "seq": seq}


def insert_forged(seq: int) -> None:
    """Insert a self-consistent forged event at `seq`, renumbering the later ones upwards."""
    with attacker() as conn:
        conn.execute(TABLE.update().where(TABLE.c.seq >= seq).values(seq=-TABLE.c.seq))
        conn.execute(TABLE.update().where(TABLE.c.seq < 0).values(seq=-TABLE.c.seq + 1))
        neighbour = conn.execute(select(TABLE).where(TABLE.c.seq != seq).order_by(TABLE.c.seq).limit(1)).mappings().one()
        forged = _fields(dict(neighbour), seq)
        forged.update(action="case.forged", payload={"forged": True}, prev_hash=secrets.token_hex(32),
                      occurred_at=neighbour["occurred_at"] + timedelta(seconds=1))
        forged["hash"] = chain_hash(forged["prev_hash"], canonical_json(forged))
        conn.execute(TABLE.insert().values(**forged))


def rewrite_from(seq: int, payload: dict | None = None) -> None:
    """Edit event `seq`, then recompute every hash from there on (the key is not needed for this)."""
    with attacker() as conn:
        rows = [dict(r) for r in conn.execute(select(TABLE).where(TABLE.c.seq >= seq - 1).order_by(TABLE.c.seq)).mappings()]
        prev = rows[0]["hash"] if rows[0]["seq"] == seq - 1 else "0" * 64
        for row in rows:
            if row["seq"] < seq:
                continue
            if row["seq"] == seq:
                row["payload"] = payload or {"rewritten": True}
            new_hash = chain_hash(prev, canonical_json(row))
            conn.execute(TABLE.update().where(TABLE.c.seq == row["seq"]).values(
                payload=row["payload"], prev_hash=prev, hash=new_hash))
            prev = new_hash


def forge_checkpoint_signature(seq: int) -> None:
    with attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.update().where(AuditCheckpoint.__table__.c.seq == seq)
                     .values(signature="A" * 86 + "=="))


def clear_trail() -> None:
    with attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete())
        conn.execute(AuditTreeNode.__table__.delete())
        conn.execute(TABLE.delete())


def _verify_ok() -> bool:
    from tracker.audit.verify import verify_chain

    db.session.close()
    result = verify_chain()
    assert result.ok, result.message
    return True


def shift_time(after_seq: int, delta) -> None:
    """Move the stored time of every event after `after_seq` by `delta` (hashes left as they are)."""
    with attacker() as conn:
        rows = conn.execute(select(TABLE.c.seq, TABLE.c.occurred_at).where(TABLE.c.seq > after_seq)).all()
        for seq, when in rows:
            conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(occurred_at=when + delta))
