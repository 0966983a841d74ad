"""Which witnesses have cosigned the log, and how far: for the audit page and the exports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from tracker.audit.canonical import format_time
from tracker.audit.models import AuditCosignature, AuditEvent, AuditTimestamp
from tracker.audit.witness_config import configured_witnesses
from tracker.extensions import db


@dataclass(frozen=True)
class Cosigner:
    """A configured witness and the newest checkpoint it cosigned (None: none yet)."""

    name: str
    tree_size: int | None
    root_hash: str | None
    cosigned_at: datetime | None
    cosignature: str | None
    covers_head: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "tree_size": self.tree_size, "root_hash": self.root_hash,
                "cosigned_at": format_time(self.cosigned_at) if self.cosigned_at else None,
                "cosignature": self.cosignature, "covers_head": self.covers_head}


def _newest_cosignatures_and_head() -> Select:
    newest = (select(AuditCosignature.witness_name, func.max(AuditCosignature.id).label("id"))
              .group_by(AuditCosignature.witness_name).subquery())
    head = select(func.coalesce(func.max(AuditEvent.seq), 0)).scalar_subquery()  # `current_head`'s seq
    return select(AuditCosignature, head.label("head_size")).join(newest, AuditCosignature.id == newest.c.id)


# Every audit page shows them: built once (see tracker/procedure/facts.py).
_NEWEST_COSIGNATURES_AND_HEAD = _newest_cosignatures_and_head()


def head_cosigners() -> list[Cosigner]:
    """Every configured witness (and any other that cosigned), with its newest cosignature; one query
    for the newest rows and the head. `covers_head`: that cosignature is on the tree of every event
    there is."""
    found = db.session.execute(_NEWEST_COSIGNATURES_AND_HEAD).all()
    rows = {row.witness_name: row for row, _head_size in found}
    head_size = found[0].head_size if found else 0
    names = [w.name for w in configured_witnesses(current_app.config)]
    names += sorted(set(rows) - set(names))
    result = []
    for name in names:
        row = rows.get(name)
        result.append(Cosigner(
            name=name, tree_size=row.tree_size if row else None, root_hash=row.root_hash if row else None,
            cosigned_at=row.cosigned_at if row else None, cosignature=row.cosignature if row else None,
            covers_head=row is not None and row.tree_size >= head_size))
    return result


@dataclass(frozen=True)
class TrustedTime:
    """The newest RFC 3161 time-stamp on a checkpoint (only when a TSA is configured)."""

    tsa_url: str
    tree_size: int
    gen_time: datetime


def trusted_time() -> TrustedTime | None:
    """The newest time-stamp, or None (no query at all without AUDIT_TSA_URL)."""
    if not current_app.config.get("AUDIT_TSA_URL"):
        return None
    row = db.session.execute(select(AuditTimestamp).order_by(AuditTimestamp.id.desc()).limit(1)).scalar_one_or_none()
    return None if row is None else TrustedTime(row.tsa_url, row.tree_size, row.gen_time)
