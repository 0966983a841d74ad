"""Verification split across processes finds exactly what the one-process walk finds (SQLite and
PostgreSQL: each worker opens its own connection)."""
from __future__ import annotations

import pytest

from tests.audit import helpers as h
from tracker.audit import verify_parallel
from tracker.audit.verify import verify_chain
from tracker.extensions import db

pytestmark = [pytest.mark.commits]

TAMPERS = {
    "intact": lambda: None,
    "edited payload in a middle chunk": lambda: h.edit_payload(10),
    "edited payload in the first chunk": lambda: h.edit_payload(2),
    "edited payload in the short last chunk": lambda: h.edit_payload(29),
    "deleted row": lambda: h.delete_rows(13),
    "inserted row": lambda: h.insert_forged(9),
    "swapped rows": lambda: h.swap(6),
    "rewritten after seq 17": lambda: h.rewrite_from(17),
}


def _outcome(app, processes: int) -> tuple:
    app.config["AUDIT_VERIFY_PROCESSES"] = processes
    db.session.close()
    result = verify_chain()
    return result.ok, result.first_bad_seq, result.kind, result.events_checked, result.message


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_split_walk_agrees_with_one_process(app, monkeypatch, tamper: str) -> None:
    monkeypatch.setattr(verify_parallel, "CHUNK", 4)
    monkeypatch.setattr(verify_parallel, "MIN_CHUNKS", 1)
    h.build_chain(30)
    h.checkpoint()
    TAMPERS[tamper]()
    source = verify_parallel.source_of(db.engine.url)
    assert source is not None and source.sqlite is (not h.is_pg())
    assert verify_parallel.plan(source, 30, 1, 2) is not None  # the split is taken
    taken: list[bool] = []
    real_chunks = verify_parallel.chunks

    def chunks(*args):
        for first, last, future in real_chunks(*args):
            taken.append(future.result() is not None)
            yield first, last, future

    monkeypatch.setattr(verify_parallel, "chunks", chunks)
    single, split = _outcome(app, 1), _outcome(app, 2)
    assert split == single
    assert taken and (all(taken) if tamper == "intact" else taken[0] or tamper.endswith("first chunk"))
    assert single[0] is (tamper == "intact")


@pytest.mark.postgresql
def test_postgresql_workers_read_in_the_parents_snapshot(app, monkeypatch) -> None:
    from sqlalchemy import text

    from tests.conftest import raw_connection
    from tracker.audit.verify import _split

    monkeypatch.setattr(verify_parallel, "CHUNK", 4)
    monkeypatch.setattr(verify_parallel, "MIN_CHUNKS", 1)
    monkeypatch.setattr(verify_parallel, "_connections", {})  # this process's, closed below
    app.config["AUDIT_VERIFY_PROCESSES"] = 2
    h.build_chain(12)
    db.session.close()
    split = _split(False)  # exports the snapshot of the session's open transaction
    assert split is not None and split[0].snapshot and not split[0].sqlite
    with raw_connection() as conn:  # committed by another connection after the snapshot
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq == 6).values(payload={"forged": True}))
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    assert verify_parallel.check_chunk(split[0], 5, 8) is not None  # the workers do not see it
    assert verify_parallel.check_chunk(verify_parallel.Source(False, split[0].target), 5, 8) is None
    for connection in verify_parallel._connections.values():
        connection.close()
    db.session.rollback()



def test_workers_are_the_usable_cpus_at_most_four_unless_configured(monkeypatch) -> None:
    monkeypatch.setattr(verify_parallel.os, "sched_getaffinity", lambda pid: set(range(6)))
    assert verify_parallel.processes(0) == 4
    monkeypatch.setattr(verify_parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    assert verify_parallel.processes(0) == 2
    assert verify_parallel.processes(3) == 3  # configured: taken as it is
    assert verify_parallel.plan(verify_parallel.Source(True, "x.db"), 4 * verify_parallel.CHUNK, 1, 1) is None
