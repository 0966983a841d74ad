"""Chunked AES-256-GCM envelope encryption: round trips and every kind of damage."""
from __future__ import annotations

import base64
import io
import os

import pytest

from tracker.documents import crypto

CHUNK = 1024


def _encrypt(plain: bytes, key: bytes, doc: int = 7, version: int = 1, chunk: int = CHUNK) -> bytes:
    sink = io.BytesIO()
    result = crypto.encrypt_stream(io.BytesIO(plain), sink, data_key=key, document_id=doc,
                                   version_number=version, chunk_size=chunk)
    assert result.size == len(plain)
    return sink.getvalue()


def _decrypt(blob: bytes, key: bytes, doc: int = 7, version: int = 1) -> bytes:
    return b"".join(crypto.decrypt_chunks(io.BytesIO(blob), data_key=key, document_id=doc, version_number=version))


def _records(blob: bytes, chunk: int = CHUNK) -> tuple[bytes, list[bytes]]:
    header, rest = blob[:crypto.HEADER.size], blob[crypto.HEADER.size:]
    size = crypto.NONCE_SIZE + chunk + crypto.TAG_SIZE
    return header, [rest[i:i + size] for i in range(0, len(rest), size)]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])
def test_round_trip(size):
    key = crypto.new_data_key()
    plain = os.urandom(size)
    blob = _encrypt(plain, key)
    assert plain == _decrypt(blob, key)
    crypto.verify(io.BytesIO(blob), data_key=key, document_id=7, version_number=1,
                  expected_size=size, expected_sha256=__import__("hashlib").sha256(plain).hexdigest())
    if size >= 16:
        assert plain[:16] not in blob  # encrypted, not stored as is


def test_round_trip_several_megabytes_default_chunk():
    key = crypto.new_data_key()
    plain = os.urandom(3 * 1024 * 1024 + 5)
    blob = _encrypt(plain, key, chunk=crypto.DEFAULT_CHUNK_SIZE)
    assert _decrypt(blob, key) == plain


def _fails(blob: bytes, key: bytes, **kw) -> None:
    with pytest.raises(crypto.DocumentCryptoError):
        crypto.verify(io.BytesIO(blob), data_key=key, document_id=kw.get("doc", 7),
                      version_number=kw.get("version", 1))


@pytest.fixture
def sample():
    key = crypto.new_data_key()
    plain = os.urandom(4 * CHUNK + 100)
    return key, plain, _encrypt(plain, key)


def test_flipped_byte_in_a_chunk_fails(sample):
    key, _plain, blob = sample
    damaged = bytearray(blob)
    damaged[crypto.HEADER.size + CHUNK + 40] ^= 0x01
    _fails(bytes(damaged), key)


def test_swapped_chunks_fail(sample):
    key, _plain, blob = sample
    header, records = _records(blob)
    records[0], records[1] = records[1], records[0]
    _fails(header + b"".join(records), key)


def test_dropped_middle_chunk_fails(sample):
    key, _plain, blob = sample
    header, records = _records(blob)
    _fails(header + b"".join(records[:1] + records[2:]), key)


@pytest.mark.parametrize("cut", ["chunk_boundary", "mid_chunk", "header_only", "partial_header"])
def test_truncated_blob_fails(sample, cut):
    key, _plain, blob = sample
    header, records = _records(blob)
    truncated = {
        "chunk_boundary": header + b"".join(records[:-1]),
        "mid_chunk": blob[:-50],
        "header_only": header,
        "partial_header": header[:5],
    }[cut]
    _fails(truncated, key)


def test_appended_chunk_fails(sample):
    key, _plain, blob = sample
    _header, records = _records(blob)
    _fails(blob + records[1], key)


def test_chunk_from_another_document_or_version_fails(sample):
    key, _plain, blob = sample
    _fails(blob, key, doc=8)
    _fails(blob, key, version=2)


def test_wrong_data_key_fails(sample):
    _key, _plain, blob = sample
    _fails(blob, crypto.new_data_key())


def test_hash_mismatch_is_detected(sample):
    key, _plain, blob = sample
    with pytest.raises(crypto.DocumentCryptoError):
        crypto.verify(io.BytesIO(blob), data_key=key, document_id=7, version_number=1, expected_sha256="0" * 64)


def test_keyring_wraps_with_the_last_key_and_unwraps_by_id():
    old, new = crypto.new_key_spec("old"), crypto.new_key_spec("new")
    ring = crypto.Keyring.parse(f"{old},{new}")
    assert ring.current_id == "new"
    data_key = crypto.new_data_key()
    key_id, wrapped = ring.wrap(data_key)
    assert key_id == "new" and ring.unwrap("new", wrapped) == data_key
    # A wrong key under the same id never yields a data key.
    other = crypto.Keyring.parse(crypto.new_key_spec("new"))
    with pytest.raises(crypto.DocumentCryptoError):
        other.unwrap("new", wrapped)
    with pytest.raises(crypto.DocumentCryptoError):
        ring.unwrap("missing", wrapped)


@pytest.mark.parametrize("spec", ["", "nokey", "a:notbase64!!", f"a:{base64.b64encode(b'short').decode()}",
                                  f"{crypto.new_key_spec('a')},{crypto.new_key_spec('a')}", "bad id:AAAA"],
                         ids=["empty", "no-colon", "not-base64", "short-key", "duplicate-id", "bad-id"])
def test_malformed_key_config_is_refused(spec):
    with pytest.raises(crypto.KeyConfigError):
        crypto.Keyring.parse(spec)


def test_development_key_is_generated_under_instance(app):
    ring = crypto.keyring(app)
    path = os.path.join(app.config["INSTANCE_DIR"], "document_keys")
    assert os.path.exists(path) and oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert crypto.keyring(app) is ring


def test_production_never_generates_a_key(app):
    app.config["ENV_NAME"] = "production"
    app.config["DOCUMENT_KEYS"] = ""
    app.extensions.pop("document_keyring", None)
    with pytest.raises(crypto.KeyConfigError):
        crypto.keyring(app)
