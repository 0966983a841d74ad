"""RFC 9162 section 2.1 Merkle tree hashing, proofs and their verification (pure functions).

leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right); the root of the
empty tree is SHA-256 of the empty string. Proofs are lists of 32-byte hashes.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


class Frontier:
    """The right edge of a tree being built leaf by leaf: O(log n) memory, root at any size."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash) of the perfect subtrees, left to right

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        height, value = 0, leaf
        stack = self._stack
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
        self.size += 1

    def root(self) -> bytes:
        """The root hash of the leaves appended so far."""
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _height, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root hash over leaf hashes (not entries)."""
    frontier = Frontier()
    for leaf in leaf_hashes:
        frontier.append(leaf)
    return frontier.root()


def _subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    if end - start == 1:
        return leaves[start]
    k = _split(end - start)
    return node_hash(_subtree_root(leaves, start, start + k), _subtree_root(leaves, start + k, end))


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(index, D[0:size]) from the leaf hashes (for tests and small trees)."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError("index out of range")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            proof.append(_subtree_root(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_subtree_root(leaves, start, start + k))
            start += k
    return list(reversed(proof))


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 2.1.4.1 PROOF(old_size, D[0:new_size]) from the leaf hashes (O(n) hashing)."""
    if not 0 <= old_size <= new_size <= len(leaves):
        raise ValueError("sizes out of range")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, new_size, True
    m = old_size
    while True:
        n = end - start
        if m == n:
            if not whole:
                proof.append(_subtree_root(leaves, start, end))
            break
        k = _split(n)
        if m <= k:
            proof.append(_subtree_root(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_subtree_root(leaves, start, start + k))
            start += k
            m -= k
            whole = False
    return list(reversed(proof))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does `proof` show leaf hash `leaf` at `index` in the tree of `size` with `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree (old_size, old_root) a prefix of (new_size, new_root)?"""
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
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
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
