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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select

from tracker import signals
from tracker.audit import notes, tree
from tracker.audit.canonical import format_time
from tracker.audit.chain import current_head, lock_chain
from tracker.audit.models import AuditCheckpoint, AuditEvent
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


DEFAULT_INTERVAL_SECONDS = 60


def log_origin() -> str:
    """The checkpoint origin (and note key name): AUDIT_LOG_ORIGIN, else `<PUBLIC_BASE_URL host>/audit`,
    else `samverkan.local/audit`."""
    configured = (current_app.config.get("AUDIT_LOG_ORIGIN") or "").strip()
    if configured:
        return configured
    host = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname
    return f"{host or 'samverkan.local'}/audit"


def checkpoint_interval() -> timedelta:
    """AUDIT_CHECKPOINT_INTERVAL_SECONDS: the longest an event may stay without a checkpoint."""
    value = current_app.config.get("AUDIT_CHECKPOINT_INTERVAL_SECONDS")
    return timedelta(seconds=DEFAULT_INTERVAL_SECONDS if value is None else int(value))


def signature_valid(checkpoint: Any, keys: dict[str, Ed25519PublicKey]) -> bool:
    """True when the checkpoint's signature verifies with the public key its key_id names.

    A checkpoint with a note: the note's log signature, and the note says the stored size and root.
    """
    key = keys.get(checkpoint.key_id)
    if key is None:
        return False
    if getattr(checkpoint, "note", ""):
        try:
            parsed = notes.parse_note(checkpoint.note)
        except notes.NoteError:
            return False
        if parsed.size != checkpoint.seq or parsed.root != checkpoint.root:
            return False
        try:  # the signature column is the note's own signature, kept for listing
            key.verify(base64.b64decode(checkpoint.signature, validate=True), parsed.body.encode("utf-8"))
        except (InvalidSignature, ValueError, TypeError):
            return False
        return notes.log_signature_valid(parsed, key)
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


def _tree_root(seq: int) -> bytes:
    try:
        return tree.root_at(db.session, seq)
    except tree.TreeIncomplete:
        tree.backfill(db.session)  # events from before the tree existed
        return tree.root_at(db.session, seq)


def _store_checkpoint(key: Ed25519PrivateKey, seq: int, head_hash: str, *, reason: str,
                      actor: User | None = None) -> AuditCheckpoint:
    """Sign the tree of `seq` events as a C2SP checkpoint note and store it (the caller holds the lock)."""
    signed_at = utcnow()
    root = _tree_root(seq)
    origin = log_origin()
    note = notes.sign_note(notes.checkpoint_body(origin, seq, root), origin, key)
    signature = notes.parse_note(note).signatures[0][1][4:]
    checkpoint = AuditCheckpoint(
        seq=seq, head_hash=head_hash, signed_at=signed_at, key_id=key_id_of(key.public_key()),
        signature=base64.b64encode(signature).decode("ascii"), root=root, note=note,
        reason=reason, created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(checkpoint)
    db.session.flush()
    _due_cache()[_cache_key()] = signed_at + checkpoint_interval()
    signals.checkpoint_written.send(current_app._get_current_object(),  # type: ignore[attr-defined]
                                    checkpoint=checkpoint)
    return checkpoint


def _due_cache() -> dict[str, datetime]:
    """Per process: when the oldest uncovered event is next worth looking up (saves a query per event)."""
    return current_app.extensions.setdefault("audit_checkpoint_due", {})


def _cache_key() -> str:
    return str(current_app.config.get("SQLALCHEMY_DATABASE_URI"))


def forget_due_time() -> None:
    """Drop the cached due time (tests, or after a rollback that dropped a checkpoint)."""
    _due_cache().pop(_cache_key(), None)


def _covered_size() -> int:
    return int(db.session.execute(select(func.coalesce(func.max(AuditCheckpoint.seq), 0))).scalar_one())


def checkpoint_due(now: datetime | None = None) -> bool:
    """True when the oldest event without a checkpoint is at least the interval old."""
    now = now or utcnow()
    oldest = db.session.execute(
        select(AuditEvent.occurred_at).where(AuditEvent.seq == _covered_size() + 1)
    ).scalar_one_or_none()
    if oldest is None:
        _due_cache()[_cache_key()] = now + checkpoint_interval()
        return False
    due = oldest + checkpoint_interval()
    _due_cache()[_cache_key()] = due
    return due <= now


def _interval_due() -> bool:
    due = _due_cache().get(_cache_key())
    if due is not None and utcnow() < due:
        return False
    return checkpoint_due()


def maybe_auto_checkpoint(seq: int, head_hash: str) -> None:
    """Called by record() after each append (the chain's lock is held): sign the head when the oldest
    uncovered event is AUDIT_CHECKPOINT_INTERVAL_SECONDS old, or at every AUDIT_CHECKPOINT_EVERY-th event.

    A quiet log still gets its checkpoint from `flask audit checkpointer` (or a scheduled
    `flask audit checkpoint --if-due`): this path only serves a log that keeps being written.
    """
    every = int(current_app.config.get("AUDIT_CHECKPOINT_EVERY") or 0)
    by_count = every > 0 and seq % every == 0
    if not by_count and not _interval_due():
        return
    try:
        key = load_private_key()
    except (SigningKeyMissing, ValueError, OSError):
        # The user's action must not fail because the signer is misconfigured; the gap in
        # checkpoints shows up in `audit verify` output (a failure after the interval) and the log.
        log.exception("automatic audit checkpoint at seq %s skipped", seq)
        return
    _store_checkpoint(key, seq, head_hash, reason="automatic" if by_count else "interval")


def checkpoint_if_due(*, force: bool = False) -> AuditCheckpoint | None:
    """The scheduler's job: sign the head if any event is uncovered (and, unless forced, due)."""
    lock_chain()
    seq, head_hash = current_head()
    if seq <= _covered_size() or not (force or checkpoint_due()):
        return None
    return _store_checkpoint(load_private_key(), seq, head_hash, reason="interval")


def checkpoint_dict(checkpoint: Any) -> dict[str, Any]:
    """A checkpoint (stored or external) as plain JSON data."""
    signed_at = checkpoint.signed_at
    return {
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "signed_at": signed_at if signed_at is None or isinstance(signed_at, str) else format_time(signed_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "reason": checkpoint.reason,
        "root": base64.b64encode(checkpoint.root).decode("ascii") if getattr(checkpoint, "root", None) else None,
        "note": getattr(checkpoint, "note", "") or "",
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


def latest_checkpoint(session: Any = None) -> AuditCheckpoint | None:
    """The newest stored checkpoint (one query)."""
    return (session or db.session).execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(1)
    ).scalar_one_or_none()
