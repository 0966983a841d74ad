"""The stored Merkle tree over the audit events: appends, roots and proofs in O(log n) reads.

Every perfect subtree is a row of `audit_tree_nodes` (level, idx, hash), written when it
completes: an append inserts its leaf and the subtrees it closes (two rows on average) after
reading only the left siblings it needs (none for an even index). A root or proof at any size
reads the O(log n) perfect subtrees `merkle.perfect_nodes` names, in one query.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select, text

from tracker.audit import merkle
from tracker.audit.models import AuditEvent, AuditTreeNode
from tracker.errors import DomainError

_NODES = AuditTreeNode.__table__


class TreeIncomplete(DomainError):
    """The stored tree lacks a subtree a proof or root needs (the tree is smaller than asked)."""

    status_code = 500


def tree_size(session: Any) -> int:
    """Number of leaves stored (level 0 rows are written in index order, without gaps)."""
    top = session.execute(select(func.max(_NODES.c.idx)).where(_NODES.c.level == 0)).scalar()
    return 0 if top is None else int(top) + 1


def node_hashes(session: Any, nodes: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    """The stored hash of each (level, idx) asked for (missing ones are absent), one query.

    Primary-key lookups, `(level = L AND idx IN (...)) OR ...`, sent as plain SQL (the values are
    ints): a proof is a handful of these and must not pay for building a statement each time, and
    both SQLite (multi-index OR) and PostgreSQL (bitmap OR) answer it from the index.
    """
    by_level: dict[int, list[int]] = {}
    for level, idx in set(nodes):
        by_level.setdefault(int(level), []).append(int(idx))
    found: dict[merkle.Node, bytes] = {}
    items = sorted(by_level.items())
    for start in range(0, len(items), 64):
        condition = " OR ".join(f"(level = {level} AND idx IN ({','.join(map(str, sorted(idxs)))}))"
                                for level, idxs in items[start:start + 64])
        rows = session.execute(text(f"SELECT level, idx, hash FROM audit_tree_nodes WHERE {condition}"))
        found.update({(int(level), int(idx)): bytes(value) for level, idx, value in rows})
    return found


def _resolver(session: Any, spans: Sequence[merkle.Span]) -> Any:
    needed = [n for lo, hi in spans for n in merkle.perfect_nodes(lo, hi)]
    found = node_hashes(session, needed)
    missing = [n for n in needed if n not in found]
    if missing:
        raise TreeIncomplete(f"the stored Merkle tree lacks subtree {missing[0]}")
    return found.__getitem__


def root_at(session: Any, size: int) -> bytes:
    """MTH of the first `size` leaves (RFC 9162), from at most log2(size) stored subtrees."""
    if size == 0:
        return merkle.EMPTY_ROOT
    spans = [(0, size)]
    return merkle.resolve(spans, _resolver(session, spans))[0]


def inclusion_proof(session: Any, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]): the audit path of leaf `index` (= seq - 1) in the tree of `size`."""
    spans = merkle.inclusion_spans(index, size)
    return merkle.resolve(spans, _resolver(session, spans))


def consistency_proof(session: Any, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]): the tree of old_size is a prefix of the tree of new_size."""
    spans = merkle.consistency_spans(old_size, new_size)
    return merkle.resolve(spans, _resolver(session, spans))


def _left_siblings(index: int) -> list[merkle.Node]:
    """The stored subtrees an append at `index` combines with (one per trailing 1 bit), and the
    leaf before it, so an append never leaves a gap in the tree."""
    nodes = [(0, index - 1)] if index & 1 == 0 and index else []
    level = 0
    while index & 1:
        nodes.append((level, index - 1))
        index >>= 1
        level += 1
    return nodes


def completed_nodes(index: int, leaf: bytes, siblings: dict[merkle.Node, bytes]) -> list[dict[str, Any]]:
    """The rows an append of `leaf` at `index` writes: the leaf and every subtree it completes."""
    rows = [{"level": 0, "idx": index, "hash": leaf}]
    current, level, i = leaf, 0, index
    while i & 1:
        current = merkle.node_hash(siblings[(level, i - 1)], current)
        i >>= 1
        level += 1
        rows.append({"level": level, "idx": i, "hash": current})
    return rows


# The chain's head and the stored subtrees the next append combines with (`_left_siblings` of the
# head's seq, which is the next leaf's index), in one round trip: record() holds the chain's lock
# while it appends, so every statement it saves there is a statement all writers save.
_HEAD_AND_SIBLINGS = text("""
WITH RECURSIVE head AS (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1),
walk(level, i) AS (SELECT 0, (SELECT seq FROM head)
                   UNION ALL SELECT level + 1, i / 2 FROM walk WHERE i % 2 = 1),
wanted AS (SELECT level, i - 1 AS idx FROM walk WHERE i % 2 = 1 OR (level = 0 AND i > 0))
SELECT head.seq, head.hash, NULL, NULL, NULL FROM head
UNION ALL
SELECT NULL, NULL, n.level, n.idx, n.hash FROM wanted
JOIN audit_tree_nodes n ON n.level = wanted.level AND n.idx = wanted.idx
""")


def head_and_siblings(session: Any) -> tuple[int, str | None, dict[merkle.Node, bytes]]:
    """(seq, hash) of the newest event ((0, None) for an empty trail) and the stored hashes of the
    subtrees an append after it combines with (missing ones absent), in one query."""
    seq, head, siblings = 0, None, {}
    for row_seq, row_hash, level, idx, value in session.execute(_HEAD_AND_SIBLINGS):
        if level is None:
            seq, head = int(row_seq), str(row_hash)
        else:
            siblings[(int(level), int(idx))] = bytes(value)
    return seq, head, siblings


def append_leaf(session: Any, index: int, entry: bytes,
                known: dict[merkle.Node, bytes] | None = None) -> bytes:
    """Store the leaf for `entry` at `index` (the caller holds the chain's lock) and return its hash.
    `known`: the left siblings already read with the head (`head_and_siblings`)."""
    leaf = merkle.leaf_hash(entry)
    wanted = _left_siblings(index)
    if known is not None:
        siblings = {node: known[node] for node in wanted if node in known}
    else:
        siblings = node_hashes(session, wanted) if wanted else {}
    if len(siblings) != len(wanted):
        raise TreeIncomplete(f"the stored Merkle tree lacks a subtree left of leaf {index}")
    session.execute(insert(AuditTreeNode), completed_nodes(index, leaf, siblings))
    return leaf


def frontier(session: Any, size: int) -> merkle.CompactRange:
    """The compact range of the stored tree at `size` (its right edge), to continue appending."""
    nodes = merkle.perfect_nodes(0, size)
    found = node_hashes(session, nodes)
    if len(found) != len(nodes):
        raise TreeIncomplete(f"the stored Merkle tree is smaller than {size}")
    return merkle.CompactRange(size, [found[n] for n in nodes])


def append_entries(session: Any, entries: Iterable[bytes], *, start: int | None = None,
                   batch: int = 20000) -> int:
    """Append many leaves (bulk loads, backfills): nodes in batched inserts; returns the new size."""
    size = tree_size(session) if start is None else start
    compact = frontier(session, size)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        for level, idx, value in compact.append(merkle.leaf_hash(entry)):
            rows.append({"level": level, "idx": idx, "hash": value})
        if len(rows) >= batch:
            session.execute(insert(AuditTreeNode), rows)
            rows = []
    if rows:
        session.execute(insert(AuditTreeNode), rows)
    return compact.size


def backfill(session: Any) -> int:
    """Add the leaves of events the stored tree lacks (events written before the tree existed)."""
    size = tree_size(session)
    hashes = session.execute(select(AuditEvent.hash).where(AuditEvent.seq > size).order_by(AuditEvent.seq)).scalars()
    return append_entries(session, (bytes.fromhex(h) for h in hashes), start=size)
