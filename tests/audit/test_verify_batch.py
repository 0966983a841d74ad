"""The verifier's batch fast path agrees with the row-by-row definitions."""
from __future__ import annotations

import hashlib

import pytest

from tracker.audit import merkle
from tracker.audit.verify_batch import chain_digests, extend


@pytest.mark.parametrize("sizes", [[1], [7], [8, 8], [3, 5, 9, 1, 16, 31], [1000, 24, 1]])
def test_extend_matches_compact_range(sizes: list[int]) -> None:
    entries = [hashlib.sha256(str(i).encode()).digest() for i in range(sum(sizes))]
    stack: list[bytes] = []
    size = 0
    compact = merkle.CompactRange()
    for count in sizes:
        chunk = entries[size:size + count]
        size = extend(stack, size, chunk)
        for entry in chunk:
            compact.append(merkle.leaf_hash(entry))
        assert merkle.fold(stack) == compact.root()
    assert merkle.fold(stack) == merkle.root_of([merkle.leaf_hash(e) for e in entries])


def _chain(count: int) -> tuple[list[int], list[bytes], list[str]]:
    prev, texts, hashes = "0" * 64, [], []
    for seq in range(1, count + 1):
        text = prev.encode() + b'{"seq":%d}' % seq
        prev = hashlib.sha256(text).hexdigest()
        texts.append(text)
        hashes.append(prev)
    return list(range(1, count + 1)), texts, hashes


def test_chain_digests_accepts_an_intact_batch_and_refuses_each_break() -> None:
    seqs, texts, hashes = _chain(10)
    raws = chain_digests(seqs, texts, hashes, 1, b"0" * 64)
    assert raws == [bytes.fromhex(h) for h in hashes]
    assert chain_digests(seqs, texts, hashes, 2, b"0" * 64) is None  # wrong start
    assert chain_digests(seqs, texts, hashes, 1, b"1" * 64) is None  # wrong predecessor
    gap = seqs[:4] + [s + 1 for s in seqs[4:]]
    assert chain_digests(gap, texts, hashes, 1, b"0" * 64) is None  # a gap
    edited = list(texts)
    edited[6] = edited[6].replace(b"7", b"8")
    assert chain_digests(seqs, edited, hashes, 1, b"0" * 64) is None  # content changed
    relinked = list(texts)
    relinked[3] = b"f" * 64 + relinked[3][64:]
    assert chain_digests(seqs, relinked, hashes, 1, b"0" * 64) is None  # link changed
