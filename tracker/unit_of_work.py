"""One unit of work: commit once on success, roll back on any exception, then run what waits
for the commit (mail, blob clean-up). The web layer's transaction boundary, the CLI and jobs all
end their work through here; services only flush.

Work that must happen only once the data is durable is registered with `after_commit(callback)`:
it runs after the commit, and is dropped by a rollback.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

log = logging.getLogger(__name__)

_QUEUE = "unit_of_work.after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction commits (never if it rolls back)."""
    db.session().info.setdefault(_QUEUE, []).append(callback)


def _run_queue(session: Session) -> None:
    for callback in session.info.pop(_QUEUE, []):
        try:
            callback()
        except Exception:  # the commit stands; a failed follow-up is logged (and retried by its owner)
            log.exception("after-commit callback %r failed", callback)


def _drop_queue(session: Session, *_args: object) -> None:
    session.info.pop(_QUEUE, None)


def install() -> None:
    """Listen on the app's session (idempotent)."""
    if not event.contains(db.session, "after_commit", _run_queue):
        event.listen(db.session, "after_commit", _run_queue)
        event.listen(db.session, "after_rollback", _drop_queue)


def commit() -> None:
    """Commit the current transaction (its after-commit callbacks run)."""
    db.session.commit()


def rollback() -> None:
    """Roll back the current transaction (its after-commit callbacks are dropped)."""
    db.session.rollback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """`with unit_of_work(): service(...)` commits once at the end, or rolls back on any error."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()
