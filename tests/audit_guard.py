"""Test-time guard: a transaction that changes an audited model must also append an audit event.

Every test runs with it (see the `app` fixture), so a service that forgets `audit.record()`
fails its own tests.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent

# Rows that are bookkeeping rather than state of the procedure.
UNAUDITED_TABLES = {
    "audit_events", "audit_checkpoints", "login_attempts", "diary_counters",
    "notifications", "notification_deliveries", "audit_verifications", "audit_cosignatures",
    "audit_timestamps",
}


class UnauditedWrite(AssertionError):
    pass


def install_audit_guard() -> Callable[[], None]:
    def after_flush(session: Session, flush_context) -> None:
        changed = [
            obj for obj in (*session.new, *session.dirty, *session.deleted)
            if getattr(obj, "__tablename__", None) not in UNAUDITED_TABLES
            and (obj not in session.dirty or session.is_modified(obj, include_collections=False))
        ]
        if any(isinstance(obj, AuditEvent) for obj in session.new):
            session.info["audited"] = True
        if changed:
            session.info.setdefault("unaudited", set()).update(
                f"{type(o).__name__}" for o in changed)

    def before_commit(session: Session) -> None:
        unaudited = session.info.get("unaudited")
        audited = session.info.get("audited")
        if session.new or session.dirty or session.deleted:
            session.flush()
            unaudited = session.info.get("unaudited")
            audited = session.info.get("audited")
        if unaudited and not audited:
            session.info.clear()
            raise UnauditedWrite(f"changes to {sorted(unaudited)} committed without an audit event")

    def reset(session: Session, *args) -> None:
        session.info.pop("unaudited", None)
        session.info.pop("audited", None)

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "before_commit", before_commit)
    event.listen(Session, "after_commit", reset)
    event.listen(Session, "after_rollback", reset)

    def remove() -> None:
        event.remove(Session, "after_flush", after_flush)
        event.remove(Session, "before_commit", before_commit)
        event.remove(Session, "after_commit", reset)
        event.remove(Session, "after_rollback", reset)

    return remove
