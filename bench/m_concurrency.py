"""7. Concurrency on PostgreSQL: N simultaneous writers, each with its own app context, session and
connection, doing audited writes; writes/s, and the chain still verifies (linear, gap-free).

Two workloads: a bare audited write (record() + commit: the advisory-locked append) and registering
a case (open_case: diary-number lock + audit append). One writer is the same-run baseline.
"""
from __future__ import annotations

import threading
import time
from datetime import date

from sqlalchemy import func, select

from bench import datagen, env
from bench.features import function
from bench.result import Result
from tracker.extensions import db


def workload_record(user, i: int) -> None:
    from tracker.audit.service import record

    record(user, "bench.written", ("bench", i), {"i": i, "note": "samtidig skrivning"})


def workload_open_case(user, i: int) -> None:
    from tracker.cases.services import open_case

    open_case(user, title=f"Samtidigt ärende {i}", description="Bänk", units=["Centrum"],
              planned_decision_date=date(2026, 12, 1), decision_body="Kommunstyrelsen", profile_code="se-mbl")


def run_writers(app, writers: int, per_writer: int, user_ids: list[int], work) -> tuple[float, list[str]]:
    errors: list[str] = []
    barrier = threading.Barrier(writers + 1)

    def writer(k: int) -> None:
        from tracker.auth.models import User

        with app.app_context():
            user = db.session.get(User, user_ids[k % len(user_ids)])
            barrier.wait()
            for i in range(per_writer):
                try:
                    work(user, k * 100_000 + i)
                    db.session.commit()
                except Exception as error:  # noqa: BLE001
                    db.session.rollback()
                    errors.append(f"{type(error).__name__}: {error}"[:200])
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started, errors


def run(ctx, result: Result) -> None:
    url = ctx.require_pg()
    verify = function("tracker.audit.verify", "verify_chain", feature="audit verification")
    writers, per_writer = ctx.sizes["writers"], ctx.sizes["writes_per_writer"]
    app = ctx.app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": writers + 2, "max_overflow": 4, "pool_pre_ping": True})
    env.reset_schema(app)
    with app.app_context():
        with db.engine.begin() as conn:
            people = datagen.make_people(conn, hr=writers)
            datagen.append_audit_events(conn, 1000, actor_ids=people.hr, actor_names=people.names)
        db.session.remove()

    workloads = [("audited write (record)", workload_record)]
    try:
        function("tracker.cases.services", "open_case", feature="cases")
        workloads.append(("open_case", workload_open_case))
    except Exception:  # noqa: BLE001
        result.note("open_case not available: measured bare audited writes only")

    total_writes = 0
    for label, work in workloads:
        single_s, errs1 = run_writers(app, 1, per_writer, people.hr, work)
        single_rate = per_writer / single_s
        many_s, errs = run_writers(app, writers, per_writer, people.hr, work)
        done = writers * per_writer - len(errs)
        total_writes += per_writer + writers * per_writer - len(errs) - len(errs1)
        rate = done / many_s
        result.add(f"{label}, {writers} writers", rate, "writes/s", baseline=single_rate, baseline_name="1 writer")
        for error in sorted(set(errs + errs1))[:5]:
            result.note(f"{label}: {error}")
        if errs or errs1:
            result.add(f"{label} failed writes", len(errs) + len(errs1), "", target="0", meets=False)

    with app.app_context():
        from tracker.audit.models import AuditEvent

        count, low, high = db.session.execute(
            select(func.count(AuditEvent.id), func.min(AuditEvent.seq), func.max(AuditEvent.seq))).one()
        gap_free = count == high and low == 1
        from tracker.audit.checkpoints import write_checkpoint
        from tracker.unit_of_work import unit_of_work

        with unit_of_work():  # the generated events are older than the checkpoint interval
            write_checkpoint()
        db.session.remove()
        outcome = verify()
        result.add("chain after concurrent writes", "intact" if outcome.ok and gap_free else
                   f"BROKEN at {outcome.first_bad_seq} ({outcome.kind})", "",
                   target="verifies", meets=bool(outcome.ok and gap_free))
        result.details.update({"events": count, "seq_range": [low, high], "verify": outcome.as_dict()
                               if hasattr(outcome, "as_dict") else repr(outcome)})
        result.note(f"{count:,} events, seq {low}..{high}; {writers} writers x {per_writer} writes per workload")
        db.session.remove()
        db.engine.dispose()
