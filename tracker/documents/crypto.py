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
`verify_and_keep()` is the same pass but keeps the plaintext of the first chunks (up to a byte
budget) so the stream can start from memory and decrypt only the rest again (`decrypt_chunks(...,
start=n)`): a small document is decrypted once per download.

Speed: chunks are 128 KiB by default (the size is recorded in each blob's header, so blobs written
with another size, e.g. the earlier 64 KiB, still read); records are read into reused buffers and
decrypted from memoryviews (no per-chunk copies of the ciphertext). Memory per stream: a few chunks.
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
DEFAULT_CHUNK_SIZE = 128 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
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


def _fill(source: BinaryIO, buffer: bytearray) -> int:
    """Fill `buffer` from `source` (looping over short reads); the number of bytes read."""
    view = memoryview(buffer)
    filled = 0
    total = len(buffer)
    readinto = getattr(source, "readinto", None)
    while filled < total:
        if readinto is not None:
            n = readinto(view[filled:])
        else:
            data = source.read(total - filled)
            n = len(data)
            view[filled:filled + n] = data
        if not n:
            break
        filled += n
    return filled


def encrypt_stream(source: BinaryIO, sink: _Sink, *, data_key: bytes, document_id: int,
                   version_number: int, chunk_size: int = DEFAULT_CHUNK_SIZE,
                   max_size: int | None = None) -> EncryptResult:
    """Encrypt `source` chunk by chunk into `sink`, hashing the plaintext on the way.

    Holds at most two chunks in memory. Raises `ValueError` when `max_size`
    is exceeded.
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


def _open_blob(source: BinaryIO) -> int:
    """Read and check the header; the blob's chunk size."""
    header = _read_full(source, HEADER.size)
    if len(header) != HEADER.size:
        raise DocumentCryptoError("blob header truncated")
    magic, chunk_size = HEADER.unpack(header)
    if magic != MAGIC or chunk_size <= 0 or chunk_size > MAX_CHUNK_SIZE:
        raise DocumentCryptoError("not a document blob")
    return chunk_size


def decrypt_chunks(source: BinaryIO, *, data_key: bytes, document_id: int,
                   version_number: int, start: int = 0) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raises DocumentCryptoError on any damage.

    `start`: begin at chunk number `start` (the source must be seekable); the chunks before it
    are neither read nor checked, so use it only after `verify_and_keep()` checked them.
    """
    chunk_size = _open_blob(source)
    aead = AESGCM(data_key)
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    count = _record_count(source, record_size)
    if count is None:  # not seekable: find the last chunk by reading one ahead
        yield from _decrypt_lookahead(source, aead, record_size, document_id, version_number)
        return
    if start:
        if start >= count:
            raise DocumentCryptoError(f"chunk {start} truncated")
        source.seek(HEADER.size + start * record_size)
    buffer = bytearray(record_size)
    view = memoryview(buffer)
    for index in range(start, count):
        # The blob's length says which chunk is the last; a blob cut at a record boundary fails
        # the new last chunk's tag (it was sealed as "not last"), as with a read-ahead.
        filled = _fill(source, buffer)
        if filled < NONCE_SIZE + TAG_SIZE:
            raise DocumentCryptoError(f"chunk {index} truncated")
        try:
            plain = aead.decrypt(view[:NONCE_SIZE], view[NONCE_SIZE:filled],
                                 _ad(document_id, version_number, index, index == count - 1))
        except InvalidTag as error:
            raise DocumentCryptoError(f"chunk {index} failed authentication") from error
        yield plain


def _record_count(source: BinaryIO, record_size: int) -> int | None:
    """How many chunk records follow the header (the source is just past it); None if the
    source cannot tell its length."""
    try:
        if not source.seekable():
            return None
        here = source.tell()
        end = source.seek(0, 2)
        source.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    body = end - HEADER.size
    return max(1, -(-body // record_size))


def _decrypt_lookahead(source: BinaryIO, aead: AESGCM, record_size: int, document_id: int,
                       version_number: int) -> Iterator[bytes]:
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


@dataclass
class Verified:
    """The outcome of `verify_and_keep`: the plaintext of the first `len(kept)` chunks (every
    chunk when `complete`), and the plaintext size."""

    kept: list[bytes]
    complete: bool
    size: int


def verify_and_keep(source: BinaryIO, *, data_key: bytes, document_id: int, version_number: int,
                    expected_size: int | None = None, expected_sha256: str | None = None,
                    keep_bytes: int = 0) -> Verified:
    """`verify()`, keeping the plaintext of the leading chunks while they fit in `keep_bytes`.

    Every chunk's GCM tag is checked whatever is kept. The SHA-256 of the plaintext is compared
    only when `expected_sha256` is given: the tags already prove the blob is exactly the one
    sealed at upload (see docs/documents.md), where that hash was computed.
    """
    digest = hashlib.sha256() if expected_sha256 is not None else None
    kept: list[bytes] = []
    kept_size = 0
    keeping = keep_bytes > 0
    size = 0
    for chunk in decrypt_chunks(source, data_key=data_key, document_id=document_id,
                                version_number=version_number):
        if digest is not None:
            digest.update(chunk)
        size += len(chunk)
        if keeping:
            if kept_size + len(chunk) <= keep_bytes:
                kept.append(chunk)
                kept_size += len(chunk)
            else:
                keeping = False
    if expected_size is not None and size != expected_size:
        raise DocumentCryptoError("plaintext size differs from the recorded size")
    if digest is not None and digest.hexdigest() != expected_sha256:
        raise DocumentCryptoError("plaintext hash differs from the recorded hash")
    return Verified(kept=kept, complete=keeping, size=size)


def verify(source: BinaryIO, *, data_key: bytes, document_id: int, version_number: int,
           expected_sha256: str | None = None, expected_size: int | None = None) -> None:
    """Decrypt and discard the whole blob; DocumentCryptoError unless every chunk authenticates
    and the plaintext has the recorded size (and hash, when `expected_sha256` is given)."""
    verify_and_keep(source, data_key=data_key, document_id=document_id, version_number=version_number,
                    expected_size=expected_size, expected_sha256=expected_sha256)
