"""Verifying a large log in several processes (SQLite and PostgreSQL).

Each row stores its predecessor's hash, so a range of rows can be checked on its own: a worker
reads a perfect subtree's worth of rows (`CHUNK` of them, aligned: leaves [j·CHUNK, (j+1)·CHUNK)),
checks that their seqs run without a gap, that each links to the one before and hashes to its
stored hash, and returns the first row's predecessor hash, the last row's hash and the subtree's
Merkle hash. The walk in the parent takes the chunks in order: one that fits its verified hash
(and holds no checkpoint size) is taken whole; any other is walked row by row in the parent,
as the single-process walk does, so the first bad position and its kind are exactly the same.

A worker opens its own connection: the SQLite file read-only, or a new psycopg connection from the
engine's URL (the workers are forked; the parent's pooled connections are never touched in a
child). On PostgreSQL the workers read in the parent's snapshot (`pg_export_snapshot`), so every
chunk sees the log as the parent's transaction does.

How many workers: AUDIT_VERIFY_PROCESSES, or (0) the CPUs this process may use, at most 4. The
machine's load is not looked at: the load average lags by a minute and counts the verifier's own
work (and, in the bench, the data generation just before), so a cap on it would mostly switch the
split off when it helps; on a machine that is busy with other work, set AUDIT_VERIFY_PROCESSES=1.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from tracker.audit.verify_batch import chain_digests, extend
from tracker.audit.verify_rows import range_query

CHUNK = 1 << 16
MIN_CHUNKS = 4  # below 4 chunks (262,144 events) one process is as fast
Chunk = tuple[bytes, str, bytes]  # (the first row's predecessor hash, the last row's hash, subtree hash)


@dataclass(frozen=True)
class Source:
    """Where a worker reads: the SQLite file, or a libpq connection string (and the snapshot)."""

    sqlite: bool
    target: str
    snapshot: str | None = None


def processes(configured: int) -> int:
    """How many worker processes: AUDIT_VERIFY_PROCESSES, or (0) the CPUs this process may use, at most 4."""
    if configured > 0:
        return configured
    return min(4, len(os.sched_getaffinity(0)))


def _sqlite_rows(path: str, first: int, last: int) -> list[Any]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(range_query(True), (first, last)).fetchall()
    finally:
        connection.close()


def _pg_rows(conninfo: str, snapshot: str | None, first: int, last: int) -> list[Any]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo) as connection:
        if snapshot is not None:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            connection.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        with connection.cursor(binary=True) as cursor:
            cursor.execute(range_query(False), (first, last))
            return cursor.fetchall()


def check_chunk(source: Source, first: int, last: int) -> Chunk | None:
    """Rows `first`..`last` checked among themselves (None: something does not fit)."""
    if source.sqlite:
        rows = _sqlite_rows(source.target, first, last)
    else:
        rows = _pg_rows(source.target, source.snapshot, first, last)
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


def chunks(source: Source, count: int, workers: int) -> Iterator[tuple[int, int, Future[Chunk | None]]]:
    """(first seq, last seq, its result to come) of the first `count` chunks, in order; the pool is
    shut down (pending chunks cancelled) when the caller stops early."""
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
    try:
        ranges = [(j * CHUNK + 1, (j + 1) * CHUNK) for j in range(count)]
        futures = [(first, last, pool.submit(check_chunk, source, first, last)) for first, last in ranges]
        yield from futures
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def source_of(url: Any) -> Source | None:
    """The workers' source for a SQLAlchemy engine URL (None: an in-memory or unknown database)."""
    if url.get_backend_name() == "sqlite":
        path = url.database
        return Source(True, path) if path and path != ":memory:" else None
    if url.get_backend_name() == "postgresql":
        return Source(False, url.set(drivername="postgresql").render_as_string(hide_password=False))
    return None


def plan(source: Source | None, head: int, lowest: int | None, configured: int) -> tuple[Source, int, int] | None:
    """(where to read, chunks, workers) when the log is worth splitting; None: one process."""
    workers = processes(configured)
    count = head // CHUNK
    if source is None or lowest != 1 or workers < 2 or count < MIN_CHUNKS:
        return None
    return source, count, workers
