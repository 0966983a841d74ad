"""Fast paths of the blob format: kept plaintext, starting mid-blob, non-seekable sources, old chunk sizes."""
from __future__ import annotations

import hashlib
import io
import os

import pytest

from tracker.documents import crypto


def _blob(plain: bytes, key: bytes, chunk: int) -> bytes:
    sink = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(plain), sink, data_key=key, document_id=3, version_number=2, chunk_size=chunk)
    return sink.getvalue()


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size=-1):
        return self._inner.read(min(size, 7) if size and size > 0 else size)


@pytest.mark.parametrize("chunk", [1024, 64 * 1024, crypto.DEFAULT_CHUNK_SIZE])
@pytest.mark.parametrize("keep", [0, 1, 3000, 10**9])
def test_kept_chunks_plus_the_rest_are_the_file(chunk, keep):
    key = crypto.new_data_key()
    plain = os.urandom(5 * 1024 + 17) if chunk == 1024 else os.urandom(2 * chunk + 5)
    blob = _blob(plain, key, chunk)
    verified = crypto.verify_and_keep(io.BytesIO(blob), data_key=key, document_id=3, version_number=2,
                                      expected_size=len(plain), keep_bytes=keep)
    assert verified.size == len(plain)
    assert sum(map(len, verified.kept)) <= keep
    rest = b"" if verified.complete else b"".join(crypto.decrypt_chunks(
        io.BytesIO(blob), data_key=key, document_id=3, version_number=2, start=len(verified.kept)))
    assert b"".join(verified.kept) + rest == plain


def test_unseekable_source_reads_ahead_and_still_detects_truncation():
    key = crypto.new_data_key()
    plain = os.urandom(4 * 1024)
    blob = _blob(plain, key, 1024)
    assert b"".join(crypto.decrypt_chunks(Unseekable(blob), data_key=key, document_id=3, version_number=2)) == plain
    record = crypto.NONCE_SIZE + 1024 + crypto.TAG_SIZE
    cut = blob[:crypto.HEADER.size + 2 * record]
    for source in (io.BytesIO(cut), Unseekable(cut)):
        with pytest.raises(crypto.DocumentCryptoError):
            list(crypto.decrypt_chunks(source, data_key=key, document_id=3, version_number=2))


def test_trailing_bytes_and_wrong_hash_fail():
    key = crypto.new_data_key()
    plain = os.urandom(3000)
    blob = _blob(plain, key, 1024)
    with pytest.raises(crypto.DocumentCryptoError):
        crypto.verify(io.BytesIO(blob + b"x" * 40), data_key=key, document_id=3, version_number=2)
    with pytest.raises(crypto.DocumentCryptoError):
        crypto.verify(io.BytesIO(blob), data_key=key, document_id=3, version_number=2,
                      expected_sha256=hashlib.sha256(b"other").hexdigest())
    crypto.verify(io.BytesIO(blob), data_key=key, document_id=3, version_number=2,
                  expected_sha256=hashlib.sha256(plain).hexdigest(), expected_size=3000)
