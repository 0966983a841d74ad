"""Verifying a large log in several processes (SQLite and PostgreSQL).

Each row stores its predecessor's hash, so a range of rows can be checked on its own: a worker
reads a perfect subtree's worth of rows (`CHUNK` of them, aligned: leaves [j·CHUNK, (j+1)·CHUNK)),
checks that their seqs run without a gap, that each links to the one before and hashes to its
stored hash, and returns the first row's predecessor hash, the last row's hash and the subtree's
Merkle hash (the last chunk, up to the head, may be shorter: then its compact range). The walk in
the parent takes the chunks in order: one that fits its verified hash (and holds no checkpoint size
but at its end) is taken whole; any other is walked row by row in the parent, as the
single-process walk does, so the first bad position and its kind are exactly the same.

A worker opens its own connection: the SQLite file read-only, or a new psycopg connection from the
engine's URL, kept for the worker's chunks and closed when it exits (the workers are forked; the
parent's pooled connections are never touched in a child). On PostgreSQL the workers read in the
parent's snapshot (`pg_export_snapshot`), so every chunk sees the log as the parent's transaction
does.

How many workers: AUDIT_VERIFY_PROCESSES, or (0) the CPUs this process may use, at most 4; the
machine's load is not looked at. An earlier split (each worker fetching its whole chunk, with the
cyclic garbage collector walking those rows again and again) was a quarter slower than one process
on this 2-core machine when it was busy. With the chunk read batch by batch and the collector off,
two workers were about a tenth faster than one process both with one other busy process (255,000
against 212,000-247,000 events/s, 400,000 events) and with three (96,000 against 87,000), so a cap
on the load would only cost. The load average would be a poor guide anyway: it lags by a minute
and counts the verifier's own work just before it (in the bench, generating the data). On a machine
whose CPUs are taken by more important work, set AUDIT_VERIFY_PROCESSES=1.
"""
from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.util import Finalize
from typing import Any

from tracker.audit.verify_batch import chain_digests, extend
from tracker.audit.verify_rows import range_query

CHUNK = 1 << 16
BATCH = 8192  # rows a worker fetches and checks at a time
MMAP_BYTES = 1 << 30  # a worker's SQLite reads: a few per cent less CPU than through the page cache
MIN_CHUNKS = 4  # below 4 chunks (262,144 events) one process is as fast
# (the first row's predecessor hash, the last row's hash, the chunk's compact range: one root when whole)
Chunk = tuple[bytes, str, list[bytes]]
_connections: dict[tuple[int, str, str | None], Any] = {}  # a worker's own PostgreSQL connection


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


def _sqlite_batches(path: str, first: int, last: int) -> Iterator[list[Any]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # reads the file's pages in place
        cursor = connection.execute(range_query(True), (first, last))
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        connection.close()


def _pg_connection(conninfo: str, snapshot: str | None) -> Any:
    """This worker's connection (opened on its first chunk, in the parent's snapshot)."""
    import psycopg
    from psycopg import sql

    key = (os.getpid(), conninfo, snapshot)
    connection = _connections.get(key)
    if connection is None:
        connection = psycopg.connect(conninfo)
        Finalize(None, connection.close, exitpriority=10)  # run when the worker process exits
        if snapshot is not None:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            connection.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        _connections[key] = connection
    return connection


def _pg_batches(conninfo: str, snapshot: str | None, first: int, last: int) -> Iterator[list[Any]]:
    with _pg_connection(conninfo, snapshot).cursor(binary=True) as cursor:
        cursor.execute(range_query(False), (first, last))
        while batch := cursor.fetchmany(BATCH):
            yield batch


def check_chunk(source: Source, first: int, last: int) -> Chunk | None:
    """Rows `first`..`last` checked among themselves, batch by batch (None: something does not fit)."""
    batches = (_sqlite_batches(source.target, first, last) if source.sqlite
               else _pg_batches(source.target, source.snapshot, first, last))
    stack: list[bytes] = []
    prefix, prev, stored, expected = b"", b"", "", first
    for batch in batches:
        seqs, texts, hashes = zip(*batch, strict=True)
        if expected == first:
            if type(texts[0]) is not bytes:
                return None
            prefix = prev = texts[0][:64]
        try:
            raws = chain_digests(seqs, texts, hashes, expected, prev)
        except TypeError:
            return None
        if raws is None:
            return None
        extend(stack, expected - first, raws)
        expected, stored = expected + len(raws), hashes[-1]
        prev = stored.encode("ascii")
    return (prefix, stored, stack) if expected == last + 1 else None


def chunks(source: Source, head: int, workers: int) -> Iterator[tuple[int, int, Future[Chunk | None]]]:
    """(first seq, last seq, its result to come) of the chunks up to `head`, in order; the pool is
    shut down (pending chunks cancelled) when the caller stops early."""
    # The workers make only short-lived objects and no cycles: without the cyclic garbage collector
    # (which otherwise walks the fetched rows again and again) a chunk costs a fifth to a third less.
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=gc.disable)
    try:
        ranges = [(first, min(first + CHUNK - 1, head)) for first in range(1, head + 1, CHUNK)]
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
    """(where to read, the last seq to read there, workers) when the log is worth splitting; None:
    one process."""
    if source is None or lowest != 1 or head // CHUNK < MIN_CHUNKS:
        return None
    workers = processes(configured)
    return (source, head, workers) if workers > 1 else None
