"""Audited denials: a case-scoped object the user may not see becomes a `<kind>.access_denied` event.

`tracker.web.access.load_or_404` answers 404 when the predicate refuses an existing row and hands
the row to the recorder registered here (the web layer imports no feature, so the audit feature
registers itself in its `init_app`). A scanner must not flood the trail: at most one event per
user, kind and case within `AUDIT_DENIAL_WINDOW_SECONDS` (default 60). The window is counted from
the audit table itself, under the chain's lock, so it holds across processes and hosts.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import select

from tracker.audit.chain import lock_chain
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.extensions import db
from tracker.timeutil import utcnow

DEFAULT_WINDOW_SECONDS = 60
# Where a model's class name does not say what the user was refused.
_KINDS = {"MinutesVersion": "minutes"}


def kind_of(row: object) -> str:
    """The event's prefix for a refused row: `steering_member` for a SteeringMember."""
    name = type(row).__name__
    return _KINDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def case_id_of(row: object) -> int | None:
    """The case a refused row belongs to (itself for a case), or None."""
    if getattr(row, "__tablename__", None) == "cases":
        return getattr(row, "id", None)
    case_id = getattr(row, "case_id", None)
    if case_id is None and getattr(row, "minutes", None) is not None:
        case_id = getattr(row.minutes, "case_id", None)  # type: ignore[attr-defined]
    return case_id


def _recent_denial(action: str, actor_id: int, case_id: int | None, window: timedelta) -> bool:
    same_case = AuditEvent.case_id.is_(None) if case_id is None else AuditEvent.case_id == case_id
    query = select(AuditEvent.id).where(
        AuditEvent.action == action, AuditEvent.actor_id == actor_id, same_case,
        AuditEvent.occurred_at >= utcnow() - window,
    ).limit(1)
    return db.session.execute(query).first() is not None


def record_denial(user: Any, row: object, kind: str | None = None) -> bool:
    """Audit that `user` was refused `row` unless the same denial is already in the window; True if recorded."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    action = f"{kind or kind_of(row)}.access_denied"
    case_id = case_id_of(row)
    window = timedelta(seconds=current_app.config.get("AUDIT_DENIAL_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))
    lock_chain()  # the check and the append are one step: two processes cannot both pass the check
    if _recent_denial(action, user.id, case_id, window):
        return False
    target_id = getattr(row, "id", None)
    record(user, action, (kind_of(row), target_id),
           {"attempted": f"{request.method} {request.path}", "target_id": target_id}, case_id=case_id)
    return True
