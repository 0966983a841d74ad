"""Appends stay one linear chain under concurrent writers; PostgreSQL rejects edits outright."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.audit import helpers as h
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.extensions import db


def _run_workers(app, workers: int, writes: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(worker: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for j in range(writes):
                    record(None, "test.concurrent_write", ("worker", worker), {"worker": worker, "j": j})
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_linear(total: int) -> None:
    db.session.close()
    seqs = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
    assert seqs == list(range(1, total + 1))
    result = verify_chain()
    assert result.ok, result.message
    assert result.events_checked == total


@pytest.mark.postgresql
@pytest.mark.commits
def test_postgresql_eight_workers_one_chain(app):
    errors = _run_workers(app, 8, 200)
    assert not errors, errors[:3]
    _assert_linear(1600)


@pytest.mark.sqlite
@pytest.mark.commits
def test_sqlite_four_workers_one_chain(app):
    assert db.engine.url.database, "needs a file database"
    errors = _run_workers(app, 4, 50)
    assert not errors, errors[:3]
    _assert_linear(200)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET payload = '{}' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
    "TRUNCATE audit_events",
])
@pytest.mark.postgresql
@pytest.mark.commits
def test_postgresql_trigger_rejects_changes(app, statement):
    h.build_chain(2)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text(statement))
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == 2
    assert verify_chain().ok


def test_rolled_back_transaction_leaves_no_event(app):
    h.build_chain(2)
    record(None, "test.rolled_back")
    db.session.rollback()
    h.build_chain(1, start=3)
    _assert_linear(3)
