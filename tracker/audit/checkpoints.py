"""Ed25519 signing keys and signed checkpoints of the chain head.

The private key lives in a file outside the database (config AUDIT_SIGNING_KEY_PATH); its
public half sits next to it as `<path>.pub`. Development and test create the pair on first
use; production never does (a missing key there is an error, not a silent new key).
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from tracker.audit.canonical import format_time
from tracker.audit.chain import current_head, lock_chain
from tracker.audit.models import AuditCheckpoint
from tracker.auth.models import User
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.timeutil import utcnow

log = logging.getLogger(__name__)

MESSAGE_HEADER = "samverkan-audit-checkpoint/v1"


class SigningKeyMissing(DomainError):
    """No signing key where the configuration says, and this environment may not create one."""

    status_code = 500


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_path_for(private_path: str | Path) -> Path:
    """Where the public half of a private key file lives: `<path>.pub`."""
    return Path(str(private_path) + ".pub")


def generate_keypair(path: str | Path, *, overwrite: bool = False) -> Ed25519PrivateKey:
    """Write a new PEM private key (mode 0600) at `path` and its public key at `path.pub`."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; refusing to replace a signing key")
    path.parent.mkdir(parents=True, exist_ok=True)
    _archive_public_key(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)
    public_path_for(path).write_text(public_key_pem(key.public_key()))
    return key


def _archive_public_key(path: Path) -> None:
    """Keep the replaced key's public half as `<path>.pub.<key_id>`: old checkpoints stay verifiable."""
    public_path = public_path_for(path)
    source = public_path if public_path.exists() else path if path.exists() else None
    if source is None:
        return
    try:
        old = load_public_key_file(source)
    except ValueError:
        return
    public_path.with_name(f"{public_path.name}.{key_id_of(old)}").write_text(public_key_pem(old))


def _may_create_key() -> bool:
    return current_app.config.get("ENV_NAME") in ("development", "testing") or current_app.testing


def load_private_key(*, create: bool | None = None) -> Ed25519PrivateKey:
    """The configured signing key; created on first use in development and tests only."""
    path = Path(current_app.config.get("AUDIT_SIGNING_KEY_PATH") or "")
    if not str(path) or str(path) == ".":
        raise SigningKeyMissing("AUDIT_SIGNING_KEY_PATH is not set")
    if not path.exists():
        if create is None:
            create = _may_create_key()
        if not create:
            raise SigningKeyMissing(f"no audit signing key at {path}; run `flask --app wsgi audit keygen`")
        return generate_keypair(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} is not an Ed25519 private key")
    return key


def load_public_key_file(path: str | Path) -> Ed25519PublicKey:
    """A PEM public key (SubjectPublicKeyInfo) or, as a convenience, a PEM private key."""
    data = Path(path).read_bytes()
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        return key.public_key()
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return public


def configured_public_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys known to this installation, by key id (from the .pub or the private key)."""
    path = current_app.config.get("AUDIT_SIGNING_KEY_PATH") or ""
    keys: dict[str, Ed25519PublicKey] = {}
    if not path:
        return keys
    for candidate in (public_path_for(path), Path(path)):
        if candidate.exists():
            key = load_public_key_file(candidate)
            keys[key_id_of(key)] = key
            break
    # Public keys of replaced signing keys (written by `audit keygen --force`).
    public = public_path_for(path)
    for archived in sorted(public.parent.glob(public.name + ".*")) if public.parent.exists() else ():
        try:
            key = load_public_key_file(archived)
        except ValueError:
            continue
        keys.setdefault(key_id_of(key), key)
    return keys


def checkpoint_message(seq: int, head_hash: str, signed_at: datetime | str, key_id: str) -> bytes:
    """The exact bytes that are signed (docs/audit-format.md, "Checkpoints")."""
    when = signed_at if isinstance(signed_at, str) else format_time(signed_at)
    return f"{MESSAGE_HEADER}\nseq={seq}\nhead={head_hash}\nsigned_at={when}\nkey_id={key_id}\n".encode("ascii")


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """An Ed25519 signature over `message`, base64."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_valid(checkpoint: Any, keys: dict[str, Ed25519PublicKey]) -> bool:
    """True when the checkpoint's signature verifies with the public key its key_id names."""
    key = keys.get(checkpoint.key_id)
    if key is None:
        return False
    try:
        raw = base64.b64decode(checkpoint.signature, validate=True)
        key.verify(raw, checkpoint_message(checkpoint.seq, checkpoint.head_hash, checkpoint.signed_at,
                                           checkpoint.key_id))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def write_checkpoint(actor: User | None = None, *, reason: str = "manual") -> AuditCheckpoint:
    """Sign the current head and store the checkpoint in the caller's transaction (no commit).

    Exports call this before they read the trail. It is not an audit event (see the model).
    """
    key = load_private_key()
    lock_chain()
    seq, head_hash = current_head()
    return _store_checkpoint(key, seq, head_hash, reason=reason, actor=actor)


def _store_checkpoint(key: Ed25519PrivateKey, seq: int, head_hash: str, *, reason: str,
                      actor: User | None = None) -> AuditCheckpoint:
    signed_at = utcnow()
    key_id = key_id_of(key.public_key())
    checkpoint = AuditCheckpoint(
        seq=seq, head_hash=head_hash, signed_at=signed_at, key_id=key_id,
        signature=sign(key, checkpoint_message(seq, head_hash, signed_at, key_id)),
        reason=reason, created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def maybe_auto_checkpoint(seq: int, head_hash: str) -> None:
    """Called by record() after each append: sign every AUDIT_CHECKPOINT_EVERY-th event."""
    every = int(current_app.config.get("AUDIT_CHECKPOINT_EVERY") or 0)
    if every <= 0 or seq % every:
        return
    try:
        key = load_private_key()
    except (SigningKeyMissing, ValueError, OSError):
        # The user's action must not fail because the signer is misconfigured; the gap in
        # checkpoints shows up in `audit verify` output and the log.
        log.exception("automatic audit checkpoint at seq %s skipped", seq)
        return
    _store_checkpoint(key, seq, head_hash, reason="automatic")


def checkpoint_dict(checkpoint: Any) -> dict[str, Any]:
    """A checkpoint (stored or external) as plain JSON data."""
    signed_at = checkpoint.signed_at
    return {
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "signed_at": signed_at if isinstance(signed_at, str) else format_time(signed_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "reason": checkpoint.reason,
    }


def export_bundle() -> dict[str, Any]:
    """Public key(s) and every checkpoint, for an export package or an offline verifier."""
    keys = configured_public_keys()
    rows = db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)).scalars()
    return {
        "format": MESSAGE_HEADER,
        "public_keys": [{"key_id": kid, "pem": public_key_pem(key)} for kid, key in keys.items()],
        "checkpoints": [checkpoint_dict(c) for c in rows],
    }


def latest_checkpoint() -> AuditCheckpoint | None:
    """The newest stored checkpoint (one query)."""
    return db.session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(1)
    ).scalar_one_or_none()
