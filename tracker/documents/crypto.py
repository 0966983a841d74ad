"""Encryption at rest: envelope encryption with AES-256-GCM over fixed-size chunks.

Each version gets a random 256-bit data key. The plaintext is cut into chunks of `chunk_size`
bytes (the last one may be shorter; an empty file is one empty chunk). Blob layout::

    header:  b"SVDOC" 0x01 | chunk_size (u32, big-endian)                     10 bytes
    record:  nonce (12 random bytes) | AES-GCM(ciphertext || 16-byte tag)     per chunk

The associated data of every chunk binds the document id, the version number, the chunk index and
a last-chunk flag, so a chunk moved to another position, another version or another document fails
its tag; dropping the tail fails (the new last chunk was sealed as "not last"), appending fails
(the old last chunk was sealed as "last"). The data key is wrapped with AES key wrap (RFC 3394)
under a key-encryption key (KEK) from configuration, identified by its id so keys can rotate.

Integrity on read: `verify()` decrypts the whole blob and discards the plaintext; callers run it
before they start streaming with `decrypt_chunks()`, so not one byte of a damaged blob (or of a blob
opened with the wrong key) is ever sent. Each chunk is authenticated again while streaming.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from flask import Flask, current_app

MAGIC = b"SVDOC\x01"
HEADER = struct.Struct(">6sI")
NONCE_SIZE = 12
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 64 * 1024
_AD = struct.Struct(">8sQIQ?")
_AD_LABEL = b"svdoc-v1"
_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


class DocumentCryptoError(Exception):
    """The blob is damaged, truncated, reordered, or the key is wrong; nothing may be served."""


class KeyConfigError(RuntimeError):
    """DOCUMENT_KEYS is malformed."""


class _Sink(Protocol):
    def write(self, data: bytes) -> object: ...


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
    app = app or current_app
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


def _ad(document_id: int, version_number: int, index: int, last: bool) -> bytes:
    return _AD.pack(_AD_LABEL, document_id, version_number, index, last)


@dataclass
class EncryptResult:
    size: int
    sha256: str


def _read_full(source: BinaryIO, size: int) -> bytes:
    """Read up to `size` bytes, looping over short reads (sockets, pipes)."""
    parts = []
    remaining = size
    while remaining > 0:
        data = source.read(remaining)
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts) if len(parts) != 1 else parts[0]


def encrypt_stream(source: BinaryIO, sink: _Sink, *, data_key: bytes, document_id: int,
                   version_number: int, chunk_size: int = DEFAULT_CHUNK_SIZE,
                   max_size: int | None = None) -> EncryptResult:
    """Encrypt `source` chunk by chunk into `sink`, hashing the plaintext on the way.

    Holds at most two chunks in memory. Raises `ValueError` when `max_size` is exceeded.
    """
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    aead = AESGCM(data_key)
    digest = hashlib.sha256()
    sink.write(HEADER.pack(MAGIC, chunk_size))
    size = 0
    index = 0
    current = _read_full(source, chunk_size)
    while True:
        # Look ahead one chunk: the last-chunk flag must be known before sealing.
        following = _read_full(source, chunk_size) if len(current) == chunk_size else b""
        last = not following
        size += len(current)
        if max_size is not None and size > max_size:
            raise ValueError("file too large")
        digest.update(current)
        nonce = secrets.token_bytes(NONCE_SIZE)
        sink.write(nonce)
        sink.write(aead.encrypt(nonce, current, _ad(document_id, version_number, index, last)))
        if last:
            break
        current = following
        index += 1
    return EncryptResult(size=size, sha256=digest.hexdigest())


def decrypt_chunks(source: BinaryIO, *, data_key: bytes, document_id: int,
                   version_number: int) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raises DocumentCryptoError on any damage."""
    header = _read_full(source, HEADER.size)
    if len(header) != HEADER.size:
        raise DocumentCryptoError("blob header truncated")
    magic, chunk_size = HEADER.unpack(header)
    if magic != MAGIC or chunk_size <= 0 or chunk_size > 64 * 1024 * 1024:
        raise DocumentCryptoError("not a document blob")
    aead = AESGCM(data_key)
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    index = 0
    current = _read_full(source, record_size)
    while True:
        if len(current) < NONCE_SIZE + TAG_SIZE:
            raise DocumentCryptoError(f"chunk {index} truncated")
        following = _read_full(source, record_size) if len(current) == record_size else b""
        last = not following
        try:
            plain = aead.decrypt(current[:NONCE_SIZE], current[NONCE_SIZE:],
                                 _ad(document_id, version_number, index, last))
        except InvalidTag as error:
            raise DocumentCryptoError(f"chunk {index} failed authentication") from error
        yield plain
        if last:
            return
        current = following
        index += 1


def verify(source: BinaryIO, *, data_key: bytes, document_id: int, version_number: int,
           expected_sha256: str | None = None, expected_size: int | None = None) -> None:
    """Decrypt and discard the whole blob; DocumentCryptoError unless every chunk authenticates
    and the plaintext has the recorded hash and size."""
    digest = hashlib.sha256()
    size = 0
    for chunk in decrypt_chunks(source, data_key=data_key, document_id=document_id,
                                version_number=version_number):
        digest.update(chunk)
        size += len(chunk)
    if expected_size is not None and size != expected_size:
        raise DocumentCryptoError("plaintext size differs from the recorded size")
    if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
        raise DocumentCryptoError("plaintext hash differs from the recorded hash")
