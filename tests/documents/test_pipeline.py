"""Hashing an upload on a second thread, block by block."""
from __future__ import annotations

import hashlib
import os
import threading

import pytest

from tracker.documents.pipeline import Hasher


def test_hasher_hashes_the_blocks_in_order_and_waits_for_the_last():
    blocks = [os.urandom(100_000) for _ in range(5)]
    digest = hashlib.sha256()
    with Hasher(digest) as hasher:
        for i, block in enumerate(blocks):
            hasher.update(memoryview(block), inline=i == 2)
    assert digest.hexdigest() == hashlib.sha256(b"".join(blocks)).hexdigest()


def test_an_upload_that_fails_half_way_leaves_no_hashing_thread():
    before = set(threading.enumerate())
    with pytest.raises(ValueError):
        with Hasher(hashlib.sha256()) as hasher:
            hasher.update(memoryview(os.urandom(1_000_000)))
            raise ValueError("file too large")
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
