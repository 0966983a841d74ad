"""Blob lifetime follows the database transaction.

A blob placed by an upload is deleted again if the transaction rolls back (or the session closes
uncommitted), and an erased version's blob is deleted only after the erasure commits. A crash
between the two leaves an orphan that `flask documents fsck` finds. The listeners are registered
on the app's session by `tracker.documents.init_app` (`install()`), not at import time.
"""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tracker.documents.storage import BlobStore
from tracker.extensions import db

log = logging.getLogger(__name__)

_PLACED = "documents.placed_blobs"
_DELETE_ON_COMMIT = "documents.delete_on_commit"


def blob_placed(store: BlobStore, key: str) -> None:
    """Remember a blob written in this transaction: removed again unless the transaction commits."""
    db.session().info.setdefault(_PLACED, []).append((store, key))


def delete_after_commit(store: BlobStore, key: str) -> None:
    """Delete a blob once this transaction commits (kept if it rolls back)."""
    db.session().info.setdefault(_DELETE_ON_COMMIT, []).append((store, key))


def _after_commit(session: Session) -> None:
    session.info.pop(_PLACED, None)
    for store, key in session.info.pop(_DELETE_ON_COMMIT, []):
        try:
            store.delete(key)
        except OSError:  # the row is already a tombstone; fsck reports the leftover blob
            log.exception("could not delete erased blob %s", key)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Not committed (rolled back, or closed without commit): undo blob placements.
    session.info.pop(_DELETE_ON_COMMIT, None)
    for store, key in session.info.pop(_PLACED, []):
        try:
            store.delete(key)
        except OSError:
            log.exception("could not remove blob %s of a rolled-back upload", key)


def install() -> None:
    """Listen on the app's session (idempotent)."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
    if not event.contains(db.session, "after_transaction_end", _after_transaction_end):
        event.listen(db.session, "after_transaction_end", _after_transaction_end)
