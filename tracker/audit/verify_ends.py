"""What the verifier checks once the walk is through: truncation against checkpoints and the stored
tree, coverage within the checkpoint interval, the stored tree itself, and where a rewrite began."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from tracker.audit import merkle, tree
from tracker.audit.checkpoints import checkpoint_interval
from tracker.audit.models import AuditEvent, AuditTreeNode, TamperKind
from tracker.audit.verify_sources import Problem
from tracker.extensions import db
from tracker.timeutil import utcnow


def end_problems(head: int, covered: int, good: dict[int, list[Any]], production: bool,
                 warnings: list[str]) -> list[Problem]:
    """An intact walk: is the log shorter than a checkpoint says, or is its tail uncovered too long?"""
    beyond = [s for s in good if s > head]
    if beyond:
        return [(head + 1, 0, TamperKind.TRUNCATED,
                 f"a signed checkpoint names size {max(beyond)}, but the log ends at {head}", (head + 1, max(beyond)))]
    if head == 0 or covered >= head:
        return []
    if not good and production:
        return [(1, 0, TamperKind.NO_CHECKPOINT,
                 "no valid signed checkpoint exists: truncation or a rewrite could not be detected", None)]
    oldest = db.session.execute(select(AuditEvent.occurred_at).where(AuditEvent.seq == covered + 1)).scalar_one()
    interval = checkpoint_interval()
    if oldest + interval <= utcnow():
        return [(covered + 1, 0, TamperKind.UNCOVERED,
                 f"events {covered + 1}..{head} have no checkpoint although event {covered + 1} is older than "
                 f"{int(interval.total_seconds())} s (is `flask audit checkpointer` running?)", None)]
    if not good:
        warnings.append("no signed checkpoints yet: a truncated tail or a rewritten chain cannot be detected")
    else:
        warnings.append(f"events after seq {covered} are not covered by a checkpoint yet (within the interval)")
    return []


def _stored_leaves(lo: int, hi: int) -> Iterator[tuple[int, bytes]]:
    nodes = AuditTreeNode.__table__
    yield from db.session.execute(
        select(nodes.c.idx, nodes.c.hash).where(nodes.c.level == 0, nodes.c.idx >= lo, nodes.c.idx < hi)
        .order_by(nodes.c.idx))


def first_leaf_difference(lo: int, hi: int) -> int | None:
    """The first seq in (lo, hi] whose stored leaf differs from the leaf of its event (None: all equal)."""
    events = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq > lo, AuditEvent.seq <= hi)
        .order_by(AuditEvent.seq))
    stored = dict(_stored_leaves(lo, hi))
    expected_seq = lo + 1
    for seq, chain_hash in events:
        if seq != expected_seq or stored.get(seq - 1) != merkle.leaf_hash(bytes.fromhex(chain_hash)):
            return expected_seq
        expected_seq += 1
    return expected_seq if expected_seq <= hi else None


def narrow_rewrite(problem: Problem, good: dict[int, list[Any]]) -> Problem:
    """A rewrite detected at a checkpoint: if the stored tree still matches that checkpoint, the
    first event whose leaf differs from the stored one is where the rewrite began."""
    seq, order, kind, message, suspect = problem
    if kind != TamperKind.REWRITTEN or suspect is None:
        return problem
    lo, size = suspect[0] - 1, suspect[1]
    try:
        stored_root = tree.root_at(db.session, size)
    except tree.TreeIncomplete:
        return (lo + 1, order, kind, message, suspect)
    signed = {cp.root for cp in good.get(size, ()) if getattr(cp, "root", None)}
    first = first_leaf_difference(lo, size) if stored_root in signed else None
    if first is None:
        return (lo + 1, order, kind, message + f"; the first changed event lies in {lo + 1}..{size}", suspect)
    return (first, order, kind, message + f"; event {first} differs from the signed tree", suspect)


def tree_problems(head: int, stored_size: int, recomputed: list[bytes] | None,
                  warnings: list[str]) -> list[Problem]:
    """The stored tree must hold the events' tree (it is what inclusion proofs come from): each
    stored subtree of its right edge against the recomputed one, then the leaves below a bad one."""
    if stored_size > head:
        return [(head + 1, 0, TamperKind.TRUNCATED,
                 f"the stored Merkle tree has leaves up to seq {stored_size}, but the log ends at {head}",
                 (head + 1, stored_size))]
    if stored_size == 0:
        if head:
            warnings.append("no stored Merkle tree: run `flask audit tree-backfill` to build it")
        return []
    nodes = merkle.perfect_nodes(0, stored_size)
    found = tree.node_hashes(db.session, nodes)
    for (level, idx), value in zip(nodes, recomputed or [b""] * len(nodes), strict=True):
        if found.get((level, idx)) != value:
            lo = idx << level
            first = first_leaf_difference(lo, lo + (1 << level)) or lo + 1
            return [(first, 0, TamperKind.TREE,
                     f"the stored Merkle tree differs from the events from seq {first}", None)]
    if stored_size < head:
        warnings.append(f"events after seq {stored_size} are not in the stored Merkle tree yet")
    return []
