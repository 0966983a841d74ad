"""The verifier's fast path: a whole batch of fetched rows checked with a few C-level operations.

A batch of rows (seq, prev_hash ‖ canonical JSON, stored hash) is intact when its seqs run on
from the last verified one, every text starts with the previous row's hash, and every text hashes
to the row's own hash. Those three checks are made over the whole batch at once (one tuple
comparison, one joined-bytes comparison, one hex of the joined digests), so the per-row Python
work is a single `sha256(text).digest()`. When any check fails the caller walks that batch row
by row (the exact first bad position and its kind come from there).

The Merkle leaves are the raw chain digests just computed (nothing is hashed twice); a batch
extends the recomputed tree's compact range by whole perfect subtrees, reduced level by level.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256


def chain_digests(seqs: Sequence[int], texts: Sequence[bytes], hashes: Sequence[str], expected: int,
                  prev_bytes: bytes) -> list[bytes] | None:
    """The raw chain digests of an intact batch starting at seq `expected` after `prev_bytes`;
    None when anything in the batch does not fit (the caller then checks it row by row)."""
    count = len(seqs)
    if seqs[-1] != expected + count - 1 or tuple(seqs) != tuple(range(expected, expected + count)):
        return None
    sha256 = _sha256
    raws = [sha256(text).digest() for text in texts]
    if b"".join(raws).hex() != "".join(hashes):
        return None
    links = b"".join([text[:64] for text in texts])
    if links != prev_bytes + "".join(hashes[:-1]).encode("ascii"):
        return None
    return raws


def extend(stack: list[bytes], size: int, entries: Sequence[bytes]) -> int:
    """Append leaves (their entries: raw chain hashes) to the compact range `stack` of a tree of
    `size` leaves; returns the new size. Same result as CompactRange.append one by one."""
    sha256 = _sha256
    leaves = [sha256(b"\x00" + entry).digest() for entry in entries]
    start, total = 0, len(leaves)
    while start < total:
        width = size & -size if size else 1 << (total - start).bit_length()
        while width > total - start:
            width >>= 1
        level = leaves[start:start + width]
        while len(level) > 1:
            pairs = zip(level[::2], level[1::2], strict=True)
            level = [sha256(b"\x01" + left + right).digest() for left, right in pairs]
        push(stack, size, width, level[0])
        size += width
        start += width
    return size


def push(stack: list[bytes], size: int, width: int, root: bytes) -> None:
    """Append the perfect subtree `root` of `width` leaves (a power of two dividing `size`)."""
    current, index = root, size // width
    while index & 1:
        current = _sha256(b"\x01" + stack.pop() + current).digest()
        index >>= 1
    stack.append(current)


def push_range(stack: list[bytes], size: int, count: int, roots: Sequence[bytes]) -> None:
    """Append `count` leaves given as their compact range (the perfect subtrees' roots, largest
    first, as `extend` from size 0 leaves them) to the tree of `size` leaves, `size` a multiple of
    the largest subtree's width."""
    widths = [1 << bit for bit in range(count.bit_length() - 1, -1, -1) if count >> bit & 1]
    for width, root in zip(widths, roots, strict=True):
        push(stack, size, width, root)
        size += width
