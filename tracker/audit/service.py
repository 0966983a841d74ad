"""`record()`: the only way to write the audit trail."""
from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request

from tracker.audit import tree
from tracker.audit.canonical import canonical_json, chain_hash, normalise_value
from tracker.audit.chain import lock_chain
from tracker.audit.checkpoints import maybe_auto_checkpoint
from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.timeutil import utcnow


def _target_ref(target: Any) -> tuple[str | None, str | None]:
    """(type, id) of what an event is about: a model instance or an explicit (type, id) tuple."""
    if target is None:
        return None, None
    if isinstance(target, tuple):
        kind, ident = target
        return kind, None if ident is None else str(ident)
    kind = getattr(target, "__audit_type__", None) or getattr(target, "__tablename__", type(target).__name__)
    ident = getattr(target, "id", None)
    return str(kind), None if ident is None else str(ident)


def _json_safe(payload: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip so what is hashed equals what the database gives back (dates become strings),
    # then normalise numbers so every language spells them the same (docs/audit-format.md).
    return normalise_value(json.loads(json.dumps(payload or {}, default=str, ensure_ascii=False)))


def _append_to_tree(event: AuditEvent, siblings: dict[tuple[int, int], bytes]) -> None:
    """The event's leaf in the Merkle tree (leaf index seq - 1, entry = the raw chain hash);
    `siblings`: the stored subtrees it combines with, read with the head."""
    try:
        tree.append_leaf(db.session, event.seq - 1, bytes.fromhex(event.hash), siblings)
    except tree.TreeIncomplete:
        tree.backfill(db.session)  # events written before the tree existed (or outside record())


def record(
    actor: User | None,
    action: str,
    target: Any = None,
    payload: dict[str, Any] | None = None,
    *,
    case_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (the caller commits).

    `actor` is a User or None (the system); `target` a model instance or a (type, id) tuple.
    """
    lock_chain()
    seq, head, siblings = tree.head_and_siblings(db.session)
    prev_hash = head or GENESIS_HASH
    target_type, target_id = _target_ref(target)
    if case_id is None and target is not None and not isinstance(target, tuple):
        # A case is its own case; anything else that belongs to a case names it.
        case_id = target.id if getattr(target, "__tablename__", None) == "cases" else getattr(target, "case_id", None)
    role = actor.primary_role if actor is not None else None
    event = AuditEvent(
        seq=seq + 1,
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "system",
        actor_role=str(role) if role else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        case_id=case_id,
        client_address=request.remote_addr if has_request_context() else None,
        payload=_json_safe(payload),
        prev_hash=prev_hash,
    )
    fields = {name: getattr(event, name) for name in (
        "seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action",
        "target_type", "target_id", "case_id", "client_address", "payload")}
    event.hash = chain_hash(prev_hash, canonical_json(fields))
    db.session.add(event)
    db.session.flush()
    _append_to_tree(event, siblings)
    maybe_auto_checkpoint(event.seq, event.hash)
    return event
