"""Verifying a large SQLite log in several processes.

Each row stores its predecessor's hash, so a range of rows can be checked on its own: a worker
reads a perfect subtree's worth of rows (`CHUNK` of them, aligned: leaves [j·CHUNK, (j+1)·CHUNK)),
checks that their seqs run without a gap, that each links to the one before and hashes to its
stored hash, and returns the first row's predecessor hash, the last row's hash and the subtree's
Merkle hash. The walk in the parent takes the chunks in order: one that fits its verified hash
(and holds no checkpoint size) is taken whole; any other is walked row by row in the parent,
as the single-process walk does, so the first bad position and its kind are exactly the same.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from tracker.audit.verify_batch import chain_digests, extend
from tracker.audit.verify_rows import range_query

CHUNK = 1 << 16
MIN_CHUNKS = 4  # below 4 chunks (262,144 events) one process is as fast
Chunk = tuple[bytes, str, bytes]  # (the first row's predecessor hash, the last row's hash, subtree hash)


def processes(configured: int) -> int:
    """How many worker processes: AUDIT_VERIFY_PROCESSES, or (0) the CPUs this process may use, at most 4."""
    if configured > 0:
        return configured
    return min(4, len(os.sched_getaffinity(0)))


def check_chunk(path: str, first: int, last: int) -> Chunk | None:
    """Rows `first`..`last` checked among themselves (None: something does not fit)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = connection.execute(range_query(True), (first, last))
        rows = cursor.fetchall()
    finally:
        connection.close()
    if len(rows) != last - first + 1:
        return None
    seqs, texts, hashes = zip(*rows, strict=True)
    prefix = texts[0][:64] if type(texts[0]) is bytes else b""
    try:
        raws = chain_digests(seqs, texts, hashes, first, prefix)
    except TypeError:
        return None
    if raws is None:
        return None
    stack: list[bytes] = []
    extend(stack, 0, raws)
    return prefix, hashes[-1], stack[0]


def chunks(path: str, count: int, workers: int) -> Iterator[tuple[int, int, Future[Chunk | None]]]:
    """(first seq, last seq, its result to come) of the first `count` chunks, in order; the pool is
    shut down (pending chunks cancelled) when the caller stops early."""
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
    try:
        ranges = [(j * CHUNK + 1, (j + 1) * CHUNK) for j in range(count)]
        futures = [(first, last, pool.submit(check_chunk, path, first, last)) for first, last in ranges]
        yield from futures
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def plan(path: str | None, head: int, lowest: int | None, configured: int) -> tuple[str, int, int] | None:
    """(database file, chunks, workers) when the log is worth splitting; None: one process."""
    workers = processes(configured)
    count = head // CHUNK
    if not path or path == ":memory:" or lowest != 1 or workers < 2 or count < MIN_CHUNKS:
        return None
    return path, count, workers
