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

Integrity on read: every chunk is authenticated before any of its plaintext is returned, and the
blob's length fixes which chunk is the last. `open_plaintext()` streams in one pass: it checks the
length against the recorded size and decrypts a held prefix (at least one chunk, which proves the
key) before the caller sends anything; `decrypt_chunks()` yields the rest. `verify()` /
`verify_and_keep()` decrypt the whole blob first (the two-pass mode, DOCUMENT_VERIFY_BEFORE_SENDING).

Speed: chunks are 128 KiB by default (the size is recorded in each blob's header, so blobs written
with another size, e.g. the earlier 64 KiB, still read); records are read into reused buffers and
decrypted from memoryviews (no per-chunk copies of the ciphertext). Uploads read blocks of whole
chunks, seal them with `encrypt_into` into one reused record, and hash each block on a second
thread (`pipeline.Hasher`). Memory per stream: a few chunks.
"""
from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tracker.documents.keys import DocumentCryptoError, KeyConfigError, Keyring, keyring, new_data_key, new_key_spec
from tracker.documents.pipeline import Hasher, fill

__all__ = ["DocumentCryptoError", "KeyConfigError", "Keyring", "decrypt_chunks", "encrypt_stream", "keyring",
           "new_data_key", "new_key_spec", "open_plaintext", "plaintext_size", "verify", "verify_and_keep"]

MAGIC = b"SVDOC\x01"
HEADER = struct.Struct(">6sI")
NONCE_SIZE = 12
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 128 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
# Uploads read (and hash) this much at a time, in whole chunks.
BLOCK_SIZE = 768 * 1024
_AD = struct.Struct(">8sQIQ?")
_AD_LABEL = b"svdoc-v1"


class _Sink(Protocol):
    def write(self, data: bytes | memoryview) -> object: ...


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

    The source is read in blocks of whole chunks into two reused buffers; while one block is
    sealed and written, a second thread computes its SHA-256 (hashlib releases the GIL), so the
    hash, which costs several times the encryption, runs beside it rather than after it. Memory: two
    blocks and one sealed record. `sink.write()` is given a reused buffer, valid during the call
    only. Raises `ValueError` when `max_size` is exceeded (before the block past it is written).
    """
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    aead = AESGCM(data_key)
    digest = hashlib.sha256()
    sink.write(HEADER.pack(MAGIC, chunk_size))
    block_size = chunk_size * max(1, BLOCK_SIZE // chunk_size)
    buffers = (bytearray(block_size), bytearray(block_size))
    record = memoryview(bytearray(NONCE_SIZE + chunk_size + TAG_SIZE))
    index = 0

    def seal(plain: memoryview, last: bool) -> None:
        nonlocal index
        end = NONCE_SIZE + len(plain) + TAG_SIZE
        nonce = secrets.token_bytes(NONCE_SIZE)
        record[:NONCE_SIZE] = nonce
        aead.encrypt_into(nonce, plain, _ad(document_id, version_number, index, last), record[NONCE_SIZE:end])
        sink.write(record[:end])
        index += 1

    with Hasher(digest) as hasher:
        current = 0
        filled = fill(source, buffers[current])
        size = 0
        while True:
            size += filled
            if max_size is not None and size > max_size:
                raise ValueError("file too large")
            block = memoryview(buffers[current])[:filled]
            at_end = filled < block_size
            hasher.update(block, inline=at_end and index == 0)  # a small file: no thread
            # Look ahead one block before sealing this one: the last-chunk flag must be known, and
            # the read lets go of the GIL just when the hashing thread needs it to start. The other
            # buffer is free: its hash finished before this block's was started.
            following = 0 if at_end else fill(source, buffers[1 - current])
            last_block = following == 0
            starts = range(0, filled, chunk_size) or range(1)  # an empty file is one empty chunk
            for start in starts[:-1]:
                seal(block[start:start + chunk_size], False)
            seal(block[starts[-1]:], last_block)
            if last_block:
                break
            current, filled = 1 - current, following
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
                   version_number: int, start: int = 0) -> Generator[bytes, None, None]:
    """Yield the plaintext chunk by chunk; raises DocumentCryptoError on any damage.

    `start`: begin at chunk number `start` (the source must be seekable); the chunks before it
    are neither read nor checked, so use it only after `verify_and_keep()` checked them.
    """
    aead = AESGCM(data_key)
    for index, last, record in _records(source, start=start):
        try:
            plain = aead.decrypt(record[:NONCE_SIZE], record[NONCE_SIZE:],
                                 _ad(document_id, version_number, index, last))
        except InvalidTag as error:
            raise DocumentCryptoError(f"chunk {index} failed authentication") from error
        yield plain


def _records(source: BinaryIO, *, start: int = 0) -> Iterator[tuple[int, bool, memoryview]]:
    """(index, is last, record) for every chunk record of the blob, from chunk `start`.

    A record view is valid until the next one is asked for (one reused buffer). A non-seekable
    source, whose length is unknown, finds its last chunk by reading one record ahead.
    """
    chunk_size = _open_blob(source)
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    count = _record_count(source, record_size)
    if count is None:
        if start:
            raise ValueError("start needs a seekable source")
        yield from _records_lookahead(source, record_size)
        return
    if start:
        if start >= count:
            raise DocumentCryptoError(f"chunk {start} truncated")
        source.seek(HEADER.size + start * record_size)
    # The blob's length says which chunk is the last; a blob cut at a record boundary fails the
    # new last chunk's tag (it was sealed as "not last"), as with a read-ahead. (Reading ahead on a
    # second thread was tried: the GIL hand-over per block cost more than the copy it overlapped.)
    buffer = bytearray(record_size)
    view = memoryview(buffer)
    for index in range(start, count):
        yield index, index == count - 1, _whole(view[:fill(source, buffer)], index)


def _whole(record: memoryview, index: int) -> memoryview:
    if len(record) < NONCE_SIZE + TAG_SIZE:
        raise DocumentCryptoError(f"chunk {index} truncated")
    return record


def _records_lookahead(source: BinaryIO, record_size: int) -> Iterator[tuple[int, bool, memoryview]]:
    index = 0
    current = _read_full(source, record_size)
    while True:
        following = _read_full(source, record_size) if len(current) == record_size else b""
        yield index, not following, _whole(memoryview(current), index)
        if not following:
            return
        current = following
        index += 1


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


def plaintext_size(source: BinaryIO) -> int | None:
    """The plaintext size a seekable blob holds, from its length (None if it cannot tell); the
    position is left just past the header. DocumentCryptoError for a blob of an impossible length."""
    chunk_size = _open_blob(source)
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    count = _record_count(source, record_size)
    if count is None:
        return None
    end = source.seek(0, 2)
    source.seek(HEADER.size)
    size = end - HEADER.size - count * (NONCE_SIZE + TAG_SIZE)
    if size < 0 or (count > 1 and size <= (count - 1) * chunk_size):
        raise DocumentCryptoError("blob length does not match any sequence of chunks")
    return size


@dataclass
class Opened:
    """A blob opened for streaming by `open_plaintext`: `held`, the leading chunks, decrypted and
    authenticated before anything is sent; `rest`, the remaining chunks (None when `held` is all),
    each authenticated before it is yielded. Close `rest` if it is not read to the end."""

    held: list[bytes]
    rest: Iterator[bytes] | None


def open_plaintext(source: BinaryIO, *, data_key: bytes, document_id: int, version_number: int,
                   expected_size: int | None = None, hold_bytes: int = 0) -> Opened:
    """Open a blob to stream its plaintext in one pass.

    Before returning: the blob's length must match `expected_size` (a seekable source tells it
    without reading), and chunks are decrypted until `hold_bytes` of plaintext are held (at least
    one chunk, which proves the key). A blob held whole is thereby verified whole before the first
    byte is sent. The rest is authenticated chunk by chunk as it is read: a damaged chunk raises
    DocumentCryptoError before any of its bytes are yielded.
    """
    try:
        seekable = source.seekable()
    except (AttributeError, ValueError):
        seekable = False
    if seekable:
        size = plaintext_size(source)
        if expected_size is not None and size is not None and size != expected_size:
            raise DocumentCryptoError("plaintext size differs from the recorded size")
        source.seek(0)
    chunks = decrypt_chunks(source, data_key=data_key, document_id=document_id, version_number=version_number)
    held: list[bytes] = []
    held_size = 0
    try:
        while not held or held_size < hold_bytes:
            chunk = next(chunks, None)
            if chunk is None:
                if expected_size is not None and held_size != expected_size:
                    raise DocumentCryptoError("plaintext size differs from the recorded size")
                return Opened(held=held, rest=None)
            held.append(chunk)
            held_size += len(chunk)
    except BaseException:
        chunks.close()
        raise
    return Opened(held=held, rest=chunks)


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
    aead = AESGCM(data_key)
    kept: list[bytes] = []
    kept_size = 0
    keeping = keep_bytes > 0
    size = 0
    scratch = None  # the plaintext of chunks that are not kept goes here and is overwritten
    chunk: bytes | memoryview
    for index, last, record in _records(source):
        body = record[NONCE_SIZE:]
        length = len(body) - TAG_SIZE
        ad = _ad(document_id, version_number, index, last)
        try:
            if keeping and kept_size + length <= keep_bytes:
                chunk = aead.decrypt(record[:NONCE_SIZE], body, ad)
                kept.append(chunk)
                kept_size += length
            else:
                keeping = False
                if scratch is None or len(scratch) < length:
                    scratch = memoryview(bytearray(len(body)))
                chunk = scratch[:length]
                aead.decrypt_into(record[:NONCE_SIZE], body, ad, chunk)
        except InvalidTag as error:
            raise DocumentCryptoError(f"chunk {index} failed authentication") from error
        if digest is not None:
            digest.update(chunk)
        size += length
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
