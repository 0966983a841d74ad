"""RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs: pure functions, no database.

The tree's leaves are the audit events in `seq` order (leaf index = seq - 1); a leaf's entry is
the 32 raw bytes of the event's chain hash (docs/audit-format.md, "Merkle tree"). A proof is
computed from a handful of *perfect subtrees* (a range `[i * 2**level, (i + 1) * 2**level)`),
which `tracker.audit.tree` keeps stored, so neither proofs nor appends walk the log.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256

# A perfect subtree: (level, index) covers leaves [index << level, (index + 1) << level).
Node = tuple[int, int]
# A range of leaves [lo, hi) whose hash a proof needs.
Span = tuple[int, int]


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already hashed leaves (the empty tree: SHA-256 of nothing)."""
    compact = CompactRange()
    for leaf in leaf_hashes:
        compact.append(leaf)
    return compact.root()


def perfect_nodes(lo: int, hi: int) -> list[Node]:
    """The perfect subtrees a range [lo, hi) of a tree splits into, left to right, as MTH splits it.

    `lo` must be where MTH's recursion can start a range: a multiple of the largest power of two
    not above hi - lo (always true for the spans proofs ask for).
    """
    nodes: list[Node] = []
    while lo < hi:
        size = hi - lo
        width = 1 << (size.bit_length() - 1)  # largest power of two <= size
        level = width.bit_length() - 1
        nodes.append((level, lo >> level))
        lo += width
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees (left to right): MTH folds from the right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The ranges whose hashes form PATH(index, D[size]), bottom to top (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    spans: list[Span] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo += k
    spans.reverse()
    return spans


def consistency_spans(old_size: int, new_size: int) -> list[Span]:
    """The ranges whose hashes form PROOF(old_size, D[new_size]), in order (RFC 9162 §2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    siblings: list[Span] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    # SUBPROOF appends on the way back up: its own subtree (unless it is the old tree itself),
    # then the siblings, deepest first.
    return ([] if whole else [(lo, hi)]) + siblings[::-1]


def resolve(spans: Iterable[Span], node: Callable[[Node], bytes]) -> list[bytes]:
    """The hash of each span, from the perfect subtree hashes `node((level, index))` gives."""
    return [fold([node(n) for n in perfect_nodes(lo, hi)]) for lo, hi in spans]


def _in_memory(leaves: Sequence[bytes]) -> Callable[[Node], bytes]:
    def node(key: Node) -> bytes:
        level, index = key
        return root_of(leaves[index << level:(index + 1) << level])
    return node


def inclusion_proof_of(leaves: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """PATH(index, D[size]) over leaf hashes held in memory (tests and small trees)."""
    size = len(leaves) if size is None else size
    return resolve(inclusion_spans(index, size), _in_memory(leaves[:size]))


def consistency_proof_of(leaves: Sequence[bytes], old_size: int, new_size: int | None = None) -> list[bytes]:
    """PROOF(old_size, D[new_size]) over leaf hashes held in memory."""
    new_size = len(leaves) if new_size is None else new_size
    return resolve(consistency_spans(old_size, new_size), _in_memory(leaves[:new_size]))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show the leaf hash at `index` in the tree of `size` with `root`?"""
    if not 0 <= index < size or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `old_size` with `old_root` a prefix of the newer one?"""
    if not 0 <= old_size <= new_size or any(len(p) != 32 for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is the first hash
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class CompactRange:
    """The right edge of a growing tree: one hash per set bit of its size (O(log n) memory).

    `append` returns the perfect subtrees it completed, as (level, index, hash), so a caller can
    store them; `root()` is MTH of everything appended.
    """

    __slots__ = ("size", "_stack")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        self.size = size
        # Perfect subtrees of the binary decomposition of size, left (largest) to right.
        self._stack: list[bytes] = list(hashes)
        if len(self._stack) != bin(size).count("1"):
            raise ValueError("a compact range needs one hash per set bit of its size")

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        index = self.size
        completed = [(0, index, leaf)]
        stack = self._stack
        current, level = leaf, 0
        while index & 1:
            current = node_hash(stack.pop(), current)
            index >>= 1
            level += 1
            completed.append((level, index, current))
        stack.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        return fold(self._stack) if self._stack else EMPTY_ROOT
