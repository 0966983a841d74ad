"""The audit feature's checkpoint signing, as exports use it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracker.audit import checkpoints
from tracker.audit.models import AuditCheckpoint
from tracker.auth.models import User
from tracker.extensions import db

# Checkpoints listed in a bundle at most (the newest; the export's own one is always among them).
MAX_BUNDLE_CHECKPOINTS = 500


def write_checkpoint(actor: User | None = None) -> AuditCheckpoint:
    """Sign the current chain head before an export reads the trail (in the caller's transaction)."""
    return checkpoints.write_checkpoint(actor, reason="export")


def public_keys() -> list[dict[str, str]]:
    """The installation's checkpoint verification keys: key id and PEM."""
    return [{"key_id": kid, "pem": checkpoints.public_key_pem(key)}
            for kid, key in checkpoints.configured_public_keys().items()]


def checkpoints_since(seq: int) -> list[dict[str, Any]]:
    """Signed checkpoints at or after `seq` (newest MAX_BUNDLE_CHECKPOINTS), oldest first."""
    rows = db.session.execute(
        select(AuditCheckpoint).where(AuditCheckpoint.seq >= seq)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(MAX_BUNDLE_CHECKPOINTS)
    ).scalars().all()
    return [checkpoints.checkpoint_dict(c) for c in reversed(rows)]


MESSAGE_HEADER = checkpoints.MESSAGE_HEADER
