"""The unit of work: callbacks wait for the real commit, a rollback drops them, savepoints neither
run nor drop them."""
from __future__ import annotations

import pytest

from tracker import unit_of_work
from tracker.extensions import db


def test_after_commit_runs_once_after_the_commit_and_never_after_a_rollback(app):
    ran: list[str] = []
    unit_of_work.after_commit(lambda: ran.append("committed"))
    assert ran == []
    unit_of_work.commit()
    assert ran == ["committed"]
    unit_of_work.commit()
    assert ran == ["committed"]  # a callback runs once

    unit_of_work.after_commit(lambda: ran.append("rolled back"))
    unit_of_work.rollback()
    unit_of_work.commit()
    assert ran == ["committed"]


def test_a_savepoint_neither_runs_nor_drops_the_queue(app):
    ran: list[str] = []
    unit_of_work.after_commit(lambda: ran.append("outer"))
    with db.session.begin_nested():
        unit_of_work.after_commit(lambda: ran.append("inner"))
    assert ran == []  # released savepoint: not yet durable
    nested = db.session.begin_nested()
    nested.rollback()
    assert ran == []
    unit_of_work.commit()
    assert ran == ["outer", "inner"]


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(app):
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        with unit_of_work.unit_of_work():
            unit_of_work.after_commit(lambda: ran.append("no"))
            raise RuntimeError("refused")
    with unit_of_work.unit_of_work():
        unit_of_work.after_commit(lambda: ran.append("yes"))
    assert ran == ["yes"]
