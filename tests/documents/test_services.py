"""Document services: upload, streaming, validation, integrity, rotation, erasure, fsck."""
from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import EXE, JPEG, PDF, PNG, download_bytes, office_zip, upload
from tracker.audit.models import AuditEvent
from tracker.documents import crypto, services
from tracker.documents.models import Document, DocumentVersion
from tracker.documents.storage import DirectoryStore, MemoryStore, get_store
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db

CHUNK = 1024


def actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK])
def test_round_trip_through_the_service(app, world, size):
    app.config["DOCUMENT_CHUNK_SIZE"] = CHUNK
    plain = (b"rad;belopp\n" * (size // 11 + 1))[:size]
    version = upload(world, plain, filename="budget.csv", classification="open")
    assert version.size == size and version.sha256 == hashlib.sha256(plain).hexdigest()
    assert version.kind == "csv" and version.content_type.startswith("text/csv")
    blob = get_store().open_reader(version.storage_key).read()
    assert len(blob) == crypto.HEADER.size + max(1, -(-size // CHUNK)) * 28 + size
    if size > 20:
        assert plain[:20] not in blob
    assert download_bytes(world.member, version.document) == plain
    assert actions()[-2:] == ["document.uploaded", "document.downloaded"]


def test_several_megabytes_stream_without_holding_the_file(app, world, tmp_path):
    size = 8 * 1024 * 1024
    path = tmp_path / "stor.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        for _ in range(size // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            version = services.upload(world.hr, world.case, stream=stream, filename="stor.pdf", title="Stor",
                                      classification="internal")
        db.session.commit()
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        prepared = services.prepare_download(world.hr, version.document)
        db.session.commit()
        hasher, total = hashlib.sha256(), 0
        for chunk in prepared.chunks:
            hasher.update(chunk)
            total += len(chunk)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == version.size == size + 9 and hasher.hexdigest() == digest == version.sha256
    # A few chunks plus fixed overhead (SQL, audit, translations): far below the file's 8 MB.
    assert upload_peak < size / 4, upload_peak
    assert download_peak < size / 4, download_peak


@pytest.mark.parametrize("data,filename,kind", [
    (PDF, "a.pdf", "pdf"), (PNG, "a.png", "png"), (JPEG, "a.jpg", "jpeg"), (JPEG, "a.JPEG", "jpeg"),
    (office_zip("docx"), "a.docx", "docx"), (office_zip("xlsx"), "a.xlsx", "xlsx"),
    (office_zip("odt"), "a.odt", "odt"), (office_zip("ods"), "a.ods", "ods"),
    ("Hej, åäö €\n".encode(), "a.txt", "txt"), (b"a;b\n1;2\n", "a.csv", "csv"),
])
def test_allowed_types_are_detected_by_content(world, data, filename, kind):
    assert upload(world, data, filename=filename).kind == kind


@pytest.mark.parametrize("data,filename,fragment", [
    (EXE, "lön.pdf", "Filtypen är inte tillåten"),
    (EXE, "program.exe", "Filtypen är inte tillåten"),
    (office_zip("plain"), "a.docx", "Filtypen är inte tillåten"),
    (b"\x00\x01binary\x00", "a.txt", "Filtypen är inte tillåten"),
    (b"\xff\xfe not utf-8 \xc3", "a.txt", "Filtypen är inte tillåten"),
    (b"plain text", "a.pdf", "filnamnet slutar på"),
    (PDF, "a.docx", "filnamnet slutar på"),
    (PDF, "utan-filandelse", "filnamnet slutar på"),
])
def test_refused_types_leave_nothing(world, data, filename, fragment):
    with pytest.raises(ValidationFailed) as caught:
        services.upload(world.hr, world.case, stream=io.BytesIO(data), filename=filename, title="x",
                        classification="open")
    db.session.rollback()
    assert fragment in caught.value.details["errors"]["file"]
    assert count(Document) == 0 and list(get_store().list_keys()) == []


@pytest.mark.parametrize("raw,stored", [
    ("Pöytäkirja 3.pdf", "Pöytäkirja 3.pdf"),
    ("Ωμέγα.pdf", "Ωμέγα.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.pdf", "win.pdf"),
    ("C:\\Users\\x\\Protokoll.pdf", "Protokoll.pdf"),
    ("bad\x00na\nme.pdf", "badname.pdf"),
])
def test_file_names_are_kept_but_never_used_as_paths(app, world, raw, stored):
    version = upload(world, PDF, filename=raw)
    assert version.filename == stored
    assert stored not in version.storage_key and len(version.storage_key) == 32
    store = get_store()
    assert isinstance(store, DirectoryStore)
    assert store.path_for(version.storage_key).resolve().is_relative_to(
        os.path.realpath(app.config["DOCUMENT_STORE_PATH"]))


def test_oversize_is_refused_and_leaves_nothing(app, world):
    db.session.commit()  # the world stays; the rollback below undoes only the refused upload
    app.config["DOCUMENT_MAX_BYTES"] = 2048
    db.session.commit()  # the world is durable: the rollback below undoes only the refused upload
    with pytest.raises(ValidationFailed) as caught:
        services.upload(world.hr, world.case, stream=io.BytesIO(b"a" * 2049), filename="a.txt", title="x",
                        classification="open")
    db.session.rollback()
    assert "för stor" in caught.value.details["errors"]["file"]
    assert count(Document) == 0 and list(get_store().list_keys()) == []
    assert upload(world, b"a" * 2048, filename="a.txt").size == 2048


class Exploding(io.RawIOBase):
    """A request stream that breaks after some bytes (client went away)."""

    def __init__(self, head: bytes, after: int) -> None:
        self.head, self.after, self.sent = head, after, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        if self.sent >= self.after:
            raise OSError("connection reset")
        data = (self.head + b"x" * self.after)[self.sent:self.sent + min(len(buffer), 100)]
        buffer[:len(data)] = data
        self.sent += len(data)
        return len(data)


class BreaksWhileEncrypting(io.BytesIO):
    """A spooled upload whose disk read fails half-way through encryption."""

    def read(self, size=-1):
        if self.tell() > 100_000:
            raise OSError("I/O error")
        return super().read(size)

    def readinto(self, buffer):
        if self.tell() > 100_000:
            raise OSError("I/O error")
        return super().readinto(buffer)


@pytest.mark.parametrize("stream", [
    lambda: Exploding(b"%PDF-", 5000),
    lambda: BreaksWhileEncrypting(b"%PDF-" + b"x" * 300_000),
], ids=["while-receiving", "while-encrypting"])
def test_interrupted_upload_leaves_neither_row_nor_blob(app, world, stream):
    with pytest.raises(OSError):
        services.upload(world.hr, world.case, stream=stream(), filename="a.pdf", title="x",
                        classification="open")
    db.session.rollback()
    store = get_store()
    assert count(Document) == 0 and count(DocumentVersion) == 0
    assert list(store.list_keys()) == []
    assert not store.tmp_dir.exists() or list(store.tmp_dir.iterdir()) == []


def test_blob_placed_but_transaction_rolled_back_is_removed(world):
    services.upload(world.hr, world.case, stream=io.BytesIO(PDF), filename="a.pdf", title="x",
                    classification="open")
    assert len(list(get_store().list_keys())) == 1
    db.session.rollback()
    assert list(get_store().list_keys()) == [] and count(Document) == 0


def test_tampered_blob_is_never_served(world):
    version = upload(world, PDF * 50)
    path = get_store().path_for(version.storage_key)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x80
    path.write_bytes(bytes(data))
    with pytest.raises(services.IntegrityFailure):
        services.prepare_download(world.hr, version.document)


def _damage_chunk(version, index: int, chunk: int) -> None:
    """Flip one ciphertext byte of chunk `index` in the stored blob."""
    path = get_store().path_for(version.storage_key)
    data = bytearray(path.read_bytes())
    data[crypto.HEADER.size + index * (crypto.NONCE_SIZE + chunk + crypto.TAG_SIZE) + crypto.NONCE_SIZE + 5] ^= 1
    path.write_bytes(bytes(data))


def test_a_late_damaged_chunk_stops_the_stream_before_any_of_its_bytes(app, world):
    app.config.update(DOCUMENT_CHUNK_SIZE=CHUNK, DOCUMENT_DOWNLOAD_MEMORY=4 * CHUNK)
    plain = PDF + os.urandom(40 * CHUNK)
    version = upload(world, plain)
    _damage_chunk(version, 30, CHUNK)
    prepared = services.prepare_download(world.hr, version.document)  # the held prefix authenticates
    received = bytearray()
    with pytest.raises(services.IntegrityFailure) as failure:
        for piece in prepared.chunks:
            received += piece
    assert bytes(received) == plain[:30 * CHUNK]  # every chunk before the damaged one, and nothing of it
    assert "while streaming" in failure.value.detail


def test_a_late_damaged_chunk_is_refused_up_front_when_configured_to_verify_first(app, world):
    app.config.update(DOCUMENT_CHUNK_SIZE=CHUNK, DOCUMENT_DOWNLOAD_MEMORY=4 * CHUNK,
                      DOCUMENT_VERIFY_BEFORE_SENDING=True)
    plain = PDF + os.urandom(40 * CHUNK)
    version = upload(world, plain)
    assert download_bytes(world.member, version.document) == plain  # two passes, same bytes
    _damage_chunk(version, 30, CHUNK)
    with pytest.raises(services.IntegrityFailure):
        services.prepare_download(world.hr, version.document)


@pytest.mark.parametrize("edit", ["drop middle chunk", "append bytes", "cut tail"])
def test_a_blob_of_the_wrong_length_is_refused_before_anything_is_sent(app, world, edit):
    app.config.update(DOCUMENT_CHUNK_SIZE=CHUNK, DOCUMENT_DOWNLOAD_MEMORY=CHUNK)
    version = upload(world, PDF + os.urandom(20 * CHUNK))
    path = get_store().path_for(version.storage_key)
    data = path.read_bytes()
    record = crypto.NONCE_SIZE + CHUNK + crypto.TAG_SIZE
    start = crypto.HEADER.size + 10 * record
    data = {"drop middle chunk": data[:start] + data[start + record:], "append bytes": data + b"x" * 40,
            "cut tail": data[:-7]}[edit]
    path.write_bytes(data)
    with pytest.raises(services.IntegrityFailure):
        services.prepare_download(world.hr, version.document)


def test_a_download_never_read_releases_its_blob(app, world):
    import threading

    app.config.update(DOCUMENT_CHUNK_SIZE=CHUNK, DOCUMENT_DOWNLOAD_MEMORY=CHUNK)
    version = upload(world, PDF + os.urandom(40 * CHUNK))
    before = set(threading.enumerate())
    prepared = services.prepare_download(world.hr, version.document)
    prepared.chunks.close()  # what the server does when the client goes away before the body
    prepared.chunks.close()
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
    assert list(prepared.chunks) == []


def test_wrong_key_is_never_served(app, world):
    version = upload(world, PDF)
    key_id = version.key_id
    app.config["DOCUMENT_KEYS"] = crypto.new_key_spec(key_id)  # same id, different key
    with pytest.raises(services.IntegrityFailure):
        services.prepare_download(world.hr, version.document)


def test_rotation_rewraps_every_key_and_old_files_stay_readable(app, world, runner):
    first = crypto.new_key_spec("k1")
    app.config["DOCUMENT_KEYS"] = first
    old = [upload(world, PDF + bytes([i]), filename=f"{i}.pdf") for i in range(3)]
    erased = upload(world, PDF, filename="gone.pdf")
    services.erase_version(world.hr, erased, "Gallringsfristen har löpt ut")
    db.session.commit()
    second = crypto.new_key_spec("k2")
    app.config["DOCUMENT_KEYS"] = f"{first},{second}"
    new = upload(world, PDF, filename="new.pdf")
    assert new.key_id == "k2" and all(v.key_id == "k1" for v in old)
    result = runner.invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "3 re-wrapped, 1 already current, 1 erased" in result.output
    db.session.expire_all()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "document.keys_rotated")).scalar_one()
    assert event.payload["rewrapped"] == 3
    # The old key can now be retired: everything reads with k2 alone.
    app.config["DOCUMENT_KEYS"] = second
    for version in old:
        version = db.session.get(DocumentVersion, version.id)
        assert version.key_id == "k2"
        assert download_bytes(world.hr, version.document, version).startswith(b"%PDF")


def test_memory_backend_needs_no_change_in_callers(app, world):
    store = MemoryStore()
    app.extensions["document_store"] = store
    version = upload(world, PDF, filename="minne.pdf")
    assert list(store.blobs) == [version.storage_key]
    assert download_bytes(world.hr, version.document) == PDF
    services.erase_version(world.hr, version, "Gallrad")
    db.session.commit()
    assert store.blobs == {}


def test_memory_backend_by_configuration(app):
    app.extensions.pop("document_store", None)
    app.config["DOCUMENT_STORE_BACKEND"] = "memory"
    assert isinstance(get_store(), MemoryStore)


def test_new_versions_are_numbered_and_immutable(world):
    first = upload(world, PDF, filename="v1.pdf")
    second = services.add_version(world.hr, first.document, stream=io.BytesIO(PDF + b"%v2"), filename="v2.pdf")
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert first.storage_key != second.storage_key and first.sha256 != second.sha256
    assert download_bytes(world.reader, first.document, first) == PDF
    assert download_bytes(world.reader, first.document) == PDF + b"%v2"
    assert "document.version_added" in actions()


def test_only_hr_of_the_case_uploads(world):
    with pytest.raises(PermissionDenied):
        services.upload(world.member, world.case, stream=io.BytesIO(PDF), filename="a.pdf", title="x",
                        classification="open")


def test_secret_needs_legal_basis_and_end_date(world):
    with pytest.raises(ValidationFailed) as caught:
        services.upload(world.hr, world.case, stream=io.BytesIO(PDF), filename="a.pdf", title="x",
                        classification="secret")
    assert set(caught.value.details["errors"]) == {"legal_basis", "secrecy_ends_on"}


def test_erasure_keeps_a_tombstone_and_deletes_the_blob_after_commit(world):
    version = upload(world, PDF, filename="Personakt Öberg.pdf")
    store = get_store()
    with pytest.raises(ValidationFailed):
        services.erase_version(world.hr, version, "  ")
    with pytest.raises(PermissionDenied):
        services.erase_version(world.member, version, "x")
    services.erase_version(world.hr, version, "Gallringsfristen har löpt ut")
    assert store.path_for(version.storage_key).exists()  # not before the commit
    db.session.commit()
    assert not store.path_for(version.storage_key).exists()
    version = db.session.get(DocumentVersion, version.id)
    assert version.is_erased and version.sha256 and version.filename == "Personakt Öberg.pdf"
    assert version.erasure_reason == "Gallringsfristen har löpt ut" and version.erased_by_id == world.hr.id
    assert actions()[-1] == "document.erased"
    with pytest.raises(Conflict):
        services.prepare_download(world.hr, version.document, version)
    with pytest.raises(Conflict):
        services.erase_version(world.hr, version, "again")


def test_rolled_back_erasure_keeps_the_content(world):
    version = upload(world, PDF)
    services.erase_version(world.hr, version, "fel")
    db.session.rollback()
    assert download_bytes(world.hr, db.session.get(DocumentVersion, version.id).document) == PDF


def test_fsck_reports_and_repairs(app, world, runner):
    kept = upload(world, PDF, filename="kept.pdf")
    lost = upload(world, PDF, filename="lost.pdf")
    store = get_store()
    store.path_for(lost.storage_key).unlink()
    writer = store.open_writer("ab" * 16)
    writer.write(b"junk")
    writer.commit()
    result = runner.invoke(args=["documents", "fsck", "--grace-seconds", "0"])
    assert result.exit_code == 1
    assert "orphan blob (no version row): " + "ab" * 16 in result.output
    assert f"missing blob for version {lost.id}" in result.output
    result = runner.invoke(args=["documents", "fsck", "--remove", "--grace-seconds", "0"])
    assert result.exit_code == 0, result.output
    assert list(store.list_keys()) == [kept.storage_key]
    db.session.expire_all()
    assert db.session.get(DocumentVersion, lost.id).is_erased
    assert actions()[-1] == "document.fsck_repaired"
    result = runner.invoke(args=["documents", "fsck", "--grace-seconds", "0"])
    assert result.exit_code == 0 and "agree" in result.output


def test_fsck_leaves_fresh_blobs_alone(world):
    store = get_store()
    writer = store.open_writer("cd" * 16)
    writer.write(b"upload in progress")
    writer.commit()
    assert services.fsck(grace_seconds=3600).orphan_blobs == []
    assert services.fsck(grace_seconds=0).orphan_blobs == ["cd" * 16]


@pytest.mark.parametrize("backend,fragment", [
    ("s3", "expected one of directory, memory"),
    ("no_such_package.store:factory", "cannot import"),
    ("tracker.documents.storage:no_such_factory", "no callable"),
])
def test_a_bad_store_backend_stops_the_app_at_startup(database_url, tmp_path, backend, fragment):
    from tests.conftest import make_test_config
    from tracker import create_app
    from tracker.documents.storage import StoreConfigError

    with pytest.raises(StoreConfigError, match=fragment) as caught:
        create_app(make_test_config(database_url, tmp_path, DOCUMENT_STORE_BACKEND=backend))
    assert "DOCUMENT_STORE_BACKEND" in str(caught.value)


def test_a_plugin_store_backend_is_built_by_its_factory(app):
    app.extensions.pop("document_store", None)
    app.config["DOCUMENT_STORE_BACKEND"] = "tests.documents.test_services:memory_store_factory"
    assert isinstance(get_store(), MemoryStore)


def memory_store_factory(app) -> MemoryStore:
    """A "module:factory" backend for the test above."""
    return MemoryStore()


def test_installing_the_blob_listeners_again_changes_nothing(world):
    from tracker.documents.services import blobs

    blobs.install()  # init_app installed them already; a second app must not double them
    dispatch = db.session().dispatch
    assert list(dispatch.after_commit).count(blobs._after_commit) == 1
    assert list(dispatch.after_transaction_end).count(blobs._after_transaction_end) == 1
    version = upload(world, PDF)
    services.erase_version(world.hr, version, "Gallrad")
    db.session.commit()
    assert not get_store().path_for(version.storage_key).exists()
    services.upload(world.hr, world.case, stream=io.BytesIO(PDF), filename="b.pdf", title="x", classification="open")
    db.session.rollback()
    assert list(get_store().list_keys()) == []
