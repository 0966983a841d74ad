"""4. Audit verification: events/s of `tracker.audit.verify` on SQLite and PostgreSQL, against
hashing the same canonical bytes with hashlib alone (the floor any verifier pays). Targets
(issue 16 item 9): at least 25 % of that ceiling on SQLite and 15 % on PostgreSQL, same run."""
from __future__ import annotations

import hashlib
import itertools
import os
import time

from bench import datagen, env
from bench.features import call_with, function
from bench.result import Result, Skip
from tracker.extensions import db

# The share of the same run's hashlib ceiling each database's walk must reach.
TARGET_SHARE = {"sqlite": 0.25, "postgresql": 0.15}


def hashlib_rate(count: int, people_ids: list[int], case_ids: list[int]) -> float:
    """events/s of sha256 over the same canonical bytes (built untimed, in batches)."""
    from tracker.audit.canonical import canonical_json

    events = datagen.audit_events(count, start_seq=1, prev_hash=datagen.GENESIS_HASH,
                                  case_ids=case_ids, actor_ids=people_ids)
    elapsed = 0.0
    prev = datagen.GENESIS_HASH.encode("ascii")
    sha256 = hashlib.sha256
    while True:
        batch = [canonical_json(e) for e in itertools.islice(events, 50_000)]
        if not batch:
            break
        started = time.perf_counter()
        for body in batch:
            prev = sha256(prev + body).hexdigest().encode("ascii")
        elapsed += time.perf_counter() - started
    return count / elapsed


def _workers(app, count: int) -> str:
    """How the walk was split (as tracker.audit.verify_parallel plans it), for the notes."""
    try:
        from tracker.audit import verify_parallel
    except ImportError:
        return "one process"
    workers = verify_parallel.processes(int(app.config.get("AUDIT_VERIFY_PROCESSES", 0)))
    split = workers > 1 and count // verify_parallel.CHUNK >= verify_parallel.MIN_CHUNKS
    return f"split over {workers} worker processes" if split else "one process"


def run(ctx, result: Result) -> None:
    verify = function("tracker.audit.verify", "verify_chain", "verify", feature="audit verification")
    count = ctx.sizes["verify_events"]
    targets = [("sqlite", ctx.sqlite_url)] + ([("postgresql", ctx.pg_url)] if ctx.pg_url else [])
    if not ctx.pg_url:
        result.note("PostgreSQL not available: verification measured on SQLite only")
    baseline = None
    for label, url in targets:
        app = ctx.app(url)
        env.reset_schema(app)
        with app.app_context():
            started = time.perf_counter()
            with db.engine.begin() as conn:
                people = datagen.make_people(conn, union=2)
                cases = datagen.make_cases(conn, 50, hr_ids=people.hr)
                datagen.append_audit_events(conn, count, case_ids=[*cases, None], actor_ids=people.hr,
                                            actor_names=people.names)
                datagen.analyze(conn)
            generated = time.perf_counter() - started
            # A signed checkpoint over the generated log (its events are older than the checkpoint
            # interval: uncovered, verify would rightly fail); the walk checks its root.
            from tracker.audit.checkpoints import write_checkpoint
            from tracker.unit_of_work import unit_of_work

            with unit_of_work():
                write_checkpoint()
            result.add(f"generate {count:,} events ({label})", count / generated, "events/s")
            if baseline is None:
                baseline = hashlib_rate(count, people.hr, [*cases, None])
            db.session.remove()
            load = os.getloadavg()[0]
            started = time.perf_counter()
            outcome = call_with(verify, session=db.session)
            elapsed = time.perf_counter() - started
            ok = getattr(outcome, "ok", None)
            checked = getattr(outcome, "events_checked", count)
            if ok is False:
                result.note(f"{label}: verification reported a broken chain: {outcome!r}")
            if checked != count:
                result.note(f"{label}: verifier checked {checked:,} events, expected {count:,}")
            rate = checked / elapsed
            result.note(f"{label}: load average {load:.1f} before the walk; {_workers(app, count)}")
            share = TARGET_SHARE[label]
            result.add(f"verify {count:,} events ({label})", rate, "events/s", baseline=baseline,
                       baseline_name="hashlib", target=f">= {share:.0%} of hashlib",
                       meets=ok is not False and baseline is not None and rate >= share * baseline)
            db.session.remove()
            db.engine.dispose()
    if baseline is None:
        raise Skip("no database")
