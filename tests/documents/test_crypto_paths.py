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


@pytest.mark.parametrize("chunk", [1024, 3000, crypto.BLOCK_SIZE, crypto.BLOCK_SIZE * 2])
@pytest.mark.parametrize("blocks,extra", [(0, 0), (1, -1), (1, 0), (1, 1), (2, 0), (3, 17)])
def test_uploads_across_read_blocks_seal_every_chunk_once(chunk, blocks, extra):
    """Sizes around the read blocks the encryption works in (hashed on a second thread): the blob
    has one record per chunk (one for an empty file), decrypts to the file, and the hash is the file's."""
    key = crypto.new_data_key()
    block = chunk * max(1, crypto.BLOCK_SIZE // chunk)
    plain = os.urandom(max(0, blocks * block + extra))
    sink = io.BytesIO()
    result = crypto.encrypt_stream(Unseekable(plain) if blocks == 1 and extra == 1 else io.BytesIO(plain), sink,
                                   data_key=key, document_id=3, version_number=2, chunk_size=chunk)
    blob = sink.getvalue()
    assert (result.size, result.sha256) == (len(plain), hashlib.sha256(plain).hexdigest())
    chunks = max(1, -(-len(plain) // chunk))
    assert len(blob) == crypto.HEADER.size + chunks * (crypto.NONCE_SIZE + crypto.TAG_SIZE) + len(plain)
    assert b"".join(crypto.decrypt_chunks(io.BytesIO(blob), data_key=key, document_id=3, version_number=2)) == plain


def test_an_upload_past_the_limit_is_refused_before_the_block_past_it_is_written():
    key = crypto.new_data_key()
    sink = io.BytesIO()
    with pytest.raises(ValueError):
        crypto.encrypt_stream(io.BytesIO(os.urandom(3 * crypto.BLOCK_SIZE)), sink, data_key=key, document_id=3,
                              version_number=2, chunk_size=1024, max_size=crypto.BLOCK_SIZE + 5)
    assert len(sink.getvalue()) < crypto.HEADER.size + 2 * crypto.BLOCK_SIZE
