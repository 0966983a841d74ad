"""9. The Merkle log (issue #16): inclusion proofs from the stored tree at 10,000,000 events, and
the audited-write rate with 8 writers with the tree and interval checkpoints against the same
writes without them (the behaviour before the tree), both in the same run."""
from __future__ import annotations

import hashlib
import random
import time

from bench import datagen, env
from bench.m_concurrency import run_writers, workload_record
from bench.result import Result, percentile
from tracker.audit import merkle, tree
from tracker.extensions import db

PROOF_TARGET_MS = 5.0
APPEND_TARGET = 0.80  # within 20 % of the rate without the tree


def build_synthetic_tree(conn, size: int, batch: int = 50_000) -> bytes:
    """Store every perfect subtree of a tree of `size` synthetic leaves; return its root.

    The leaves are SHA-256 of their index (no events behind them): proofs only read the nodes."""
    compact = merkle.CompactRange()
    cursor = conn.connection.driver_connection.cursor()
    insert = "INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?, ?, ?)"
    rows: list[tuple[int, int, bytes]] = []
    sha256 = hashlib.sha256
    for i in range(size):
        rows += compact.append(merkle.leaf_hash(sha256(i.to_bytes(8, "big")).digest()))
        if len(rows) >= batch:
            cursor.executemany(insert, rows)
            rows = []
    if rows:
        cursor.executemany(insert, rows)
    cursor.close()
    return compact.root()


def _proofs(result: Result, label: str, size: int, samples: int, root: bytes) -> None:
    rng = random.Random(16)
    timings, wrong = [], 0
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = tree.inclusion_proof(db.session, index, size)
        timings.append((time.perf_counter() - started) * 1000)
        leaf = merkle.leaf_hash(hashlib.sha256(index.to_bytes(8, "big")).digest())
        wrong += not merkle.verify_inclusion(leaf, index, size, proof, root)
    p95 = percentile(timings, 95)
    result.add(f"inclusion proof at {size:,} leaves ({label}), p50", percentile(timings, 50), "ms")
    result.add(f"inclusion proof at {size:,} leaves ({label}), p95", p95, "ms",
               target=f"< {PROOF_TARGET_MS:g} ms", meets=p95 < PROOF_TARGET_MS and not wrong)
    old = rng.randrange(1, size)
    started = time.perf_counter()
    proof = tree.consistency_proof(db.session, old, size)
    consistency_ms = (time.perf_counter() - started) * 1000
    result.add(f"consistency proof {old:,} -> {size:,} ({label})", consistency_ms, "ms")
    if wrong or tree.root_at(db.session, size) != root or not merkle.verify_consistency(
            old, size, tree.root_at(db.session, old), root, proof):
        result.note(f"{label}: {wrong} of {samples} inclusion proofs did not verify, or a root or consistency "
                    "proof is wrong")


def proof_speed(ctx, result: Result) -> None:
    size, samples = ctx.sizes["proof_events"], ctx.sizes["proof_samples"]
    app = ctx.app(ctx.sqlite_url)
    env.reset_schema(app)
    with app.app_context():
        started = time.perf_counter()
        with db.engine.begin() as conn:
            root = build_synthetic_tree(conn, size)
            datagen.analyze(conn)
        result.add(f"build a synthetic stored tree of {size:,} leaves (sqlite)", size / (time.perf_counter() - started),
                   "leaves/s")
        db.session.remove()
        _proofs(result, "sqlite", size, samples, root)
        db.session.remove()
        db.engine.dispose()


def _without_tree():
    """Patch the append back to what it was before #16: the head alone (no sibling nodes read with
    it), no tree node, no interval check."""
    from tracker.audit import chain, checkpoints, service

    saved = (service._append_to_tree, checkpoints._interval_due, tree.head_and_siblings)
    service._append_to_tree = lambda event, siblings: None
    checkpoints._interval_due = lambda: False
    tree.head_and_siblings = lambda session: (*chain.current_head(), {})

    def restore() -> None:
        service._append_to_tree, checkpoints._interval_due, tree.head_and_siblings = saved
    return restore


def _catch_up(app) -> None:
    """Give the events written without the tree their nodes (untimed), as `audit tree-backfill` does."""
    from tracker.audit.chain import lock_chain
    from tracker.unit_of_work import unit_of_work

    with app.app_context():
        with unit_of_work():
            lock_chain()
            tree.backfill(db.session)
        db.session.remove()


def append_speed(ctx, result: Result) -> None:
    url = ctx.require_pg()
    writers, per_writer = ctx.sizes["writers"], ctx.sizes["writes_per_writer"]
    app = ctx.app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": writers + 2, "max_overflow": 4, "pool_pre_ping": True})
    env.reset_schema(app)
    with app.app_context():
        with db.engine.begin() as conn:
            people = datagen.make_people(conn, hr=writers)
            datagen.append_audit_events(conn, 1000, actor_ids=people.hr, actor_names=people.names)
        db.session.remove()
    rates = {"with": [], "without": []}
    for _ in range(2):  # interleaved, best of two each
        restore = _without_tree()
        try:
            seconds, errors = run_writers(app, writers, per_writer, people.hr, workload_record)
        finally:
            restore()
        rates["without"].append((writers * per_writer - len(errors)) / seconds)
        _catch_up(app)
        seconds, errors = run_writers(app, writers, per_writer, people.hr, workload_record)
        rates["with"].append((writers * per_writer - len(errors)) / seconds)
        if errors:
            result.note(f"append: {len(errors)} failed writes, e.g. {errors[0]}")
    without, with_tree = max(rates["without"]), max(rates["with"])
    result.add(f"audited write with Merkle tree, {writers} writers (postgresql)", with_tree, "writes/s",
               baseline=without, baseline_name="same writes without the tree",
               target=f">= {APPEND_TARGET:.0%}", meets=with_tree >= APPEND_TARGET * without)
    with app.app_context():
        from tracker.audit.checkpoints import write_checkpoint
        from tracker.audit.verify import verify_chain
        from tracker.unit_of_work import unit_of_work

        with unit_of_work():
            write_checkpoint()
        db.session.remove()
        outcome = verify_chain()
        result.add("log after the writes", "intact" if outcome.ok else f"BROKEN at {outcome.first_bad_seq} "
                   f"({outcome.kind})", "", target="verifies", meets=outcome.ok)
        db.session.remove()
        db.engine.dispose()


def run(ctx, result: Result) -> None:
    proof_speed(ctx, result)
    if ctx.pg_url:
        append_speed(ctx, result)
    else:
        result.note("PostgreSQL not available: the append rate was not measured")
