"""Verification split across processes finds exactly what the one-process walk finds (SQLite)."""
from __future__ import annotations

import pytest

from tests.audit import helpers as h
from tracker.audit import verify_parallel
from tracker.audit.verify import verify_chain
from tracker.extensions import db

pytestmark = [pytest.mark.commits, pytest.mark.sqlite]  # the split is made on SQLite only

TAMPERS = {
    "intact": lambda: None,
    "edited payload in a middle chunk": lambda: h.edit_payload(10),
    "edited payload in the first chunk": lambda: h.edit_payload(2),
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
    assert verify_parallel.plan(db.engine.url.database, 30, 1, 2) is not None  # the split is taken
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
