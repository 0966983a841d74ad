"""Key-encryption keys (KEKs) from configuration, by id so keys can rotate, and the random data
keys they wrap (AES key wrap, RFC 3394). See `crypto` for how the data keys encrypt the blobs."""
from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from flask import Flask, current_app

_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


class DocumentCryptoError(Exception):
    """The blob is damaged, truncated, reordered, or the key is wrong; nothing may be served."""


class KeyConfigError(RuntimeError):
    """DOCUMENT_KEYS is malformed."""


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id; the last one configured wraps new data keys."""

    keys: dict[str, bytes]
    current_id: str

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Parse "id1:base64key,id2:base64key" (each key 32 bytes)."""
        keys: dict[str, bytes] = {}
        last = None
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            key_id = key_id.strip()
            if not sep or not _KEY_ID_RE.match(key_id):
                raise KeyConfigError("DOCUMENT_KEYS: each entry must be id:base64key (id of letters, digits, _.-)")
            if key_id in keys:
                raise KeyConfigError(f"DOCUMENT_KEYS: key id {key_id!r} given twice")
            try:
                raw = base64.b64decode(encoded.strip(), validate=True)
            except ValueError as error:
                raise KeyConfigError(f"DOCUMENT_KEYS: key {key_id!r} is not valid base64") from error
            if len(raw) != 32:
                raise KeyConfigError(f"DOCUMENT_KEYS: key {key_id!r} must be 32 bytes (256 bits)")
            keys[key_id] = raw
            last = key_id
        if last is None:
            raise KeyConfigError("DOCUMENT_KEYS is empty")
        return cls(keys=keys, current_id=last)

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """Wrap a data key under the newest KEK: (key id, wrapped bytes)."""
        return self.current_id, aes_key_wrap(self.current_key, data_key)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """The data key; DocumentCryptoError for an unknown key id or a wrong key."""
        kek = self.keys.get(key_id)
        if kek is None:
            raise DocumentCryptoError(f"unknown key id {key_id!r}")
        try:
            return aes_key_unwrap(kek, bytes(wrapped))
        except InvalidUnwrap as error:
            raise DocumentCryptoError(f"data key does not unwrap under key {key_id!r}") from error


def new_key_spec(key_id: str = "k1") -> str:
    """A fresh "id:base64key" entry for DOCUMENT_KEYS."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def keyring(app: Flask | None = None) -> Keyring:
    """The application's keyring (DOCUMENT_KEYS; in development/testing a key under instance/)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("document_keyring")
    spec = app.config.get("DOCUMENT_KEYS") or ""
    if cached is not None and cached[0] == spec:
        return cached[1]
    if not spec:
        if app.config.get("ENV_NAME") == "production":
            raise KeyConfigError("DOCUMENT_KEYS must be set in production")
        spec = _instance_key_spec(app)
    ring = Keyring.parse(spec)
    app.extensions["document_keyring"] = (app.config.get("DOCUMENT_KEYS") or "", ring)
    return ring


def _instance_key_spec(app: Flask) -> str:
    # Development only: one key generated on first use, kept with the other instance secrets.
    path = Path(app.config["INSTANCE_DIR"]) / "document_keys"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key_spec("dev1"))
    return path.read_text().strip()


def new_data_key() -> bytes:
    """A random 256-bit data key for one version."""
    return AESGCM.generate_key(bit_length=256)
