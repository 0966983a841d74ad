"""A full, read-only or failing document store: 507/503 with a clear message, nothing left behind
(issue 15, finding 12), and temporary files of crashed uploads in `documents fsck` (finding 13)."""
from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import PDF, upload
from tracker.audit.models import AuditEvent
from tracker.documents import storage
from tracker.documents.models import Document, DocumentVersion
from tracker.documents.storage import MemoryStore, get_store
from tracker.extensions import db

FULL_SV = "Dokumentarkivet är fullt. Dokumentet har inte sparats."
FULL_EN = "The document store is full. The document has not been saved."
READ_ONLY_SV = "Dokumentarkivet går inte att skriva till just nu. Dokumentet har inte sparats."
READ_ONLY_EN = "The document store cannot be written to right now. The document has not been saved."


def _fail(number: int):
    def raiser(*args, **kwargs):
        raise OSError(number, os.strerror(number))
    return raiser


class _FailingMemoryWriter(storage._MemoryWriter):
    def commit(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


class FailingMemoryStore(MemoryStore):
    """The in-memory backend whose every commit finds the store full."""

    def open_writer(self, key: str) -> _FailingMemoryWriter:
        return _FailingMemoryWriter(self, storage.check_key(key))


# (where the store fails, errno, expected status); each patch makes one step of the directory writer fail
FAILURES = [
    ("create", errno.EROFS, 503),
    ("create", errno.EACCES, 503),
    ("first_write", errno.ENOSPC, 507),
    ("fsync", errno.ENOSPC, 507),
    ("fsync", errno.EIO, 503),
    ("rename", errno.EROFS, 503),
    ("rename", errno.EDQUOT, 507),
    ("memory_commit", errno.ENOSPC, 507),
]


def _break_store(app, monkeypatch, where: str, number: int) -> None:
    if where == "create":
        monkeypatch.setattr(storage.tempfile, "mkstemp", _fail(number))
    elif where == "first_write":
        monkeypatch.setattr(storage._DirectoryWriter, "write", _fail(number))
    elif where == "fsync":
        monkeypatch.setattr(storage.os, "fsync", _fail(number))
    elif where == "rename":
        monkeypatch.setattr(storage.os, "replace", _fail(number))
    else:
        app.extensions["document_store"] = FailingMemoryStore()


def store_files(app) -> set[str]:
    root = Path(app.config["DOCUMENT_STORE_PATH"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def counts() -> tuple[int, int, int]:
    return tuple(db.session.execute(select(func.count()).select_from(model)).scalar_one()  # type: ignore[return-value]
                 for model in (Document, DocumentVersion, AuditEvent))


def upload_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).where(
        AuditEvent.action.in_(["document.uploaded", "document.version_added"]))).scalars())


@pytest.fixture
def hr(web, factory, world):
    web.login(world.hr.email, factory.password)
    return world.hr


def post_upload(web, world):
    page = f"/cases/{world.case.id}/documents"
    form = {"document-csrf_token": web.token(page), "document-title": "Budget", "document-classification": "internal",
            "document-stage_code": "", "document-file": (io.BytesIO(PDF), "budget.pdf")}
    return web.post(page, form, token_from=page, content_type="multipart/form-data")


def _assert_page(response, status: int, english: bool) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    if status == 507:
        assert (FULL_EN if english else FULL_SV) in html
    else:
        assert (READ_ONLY_EN if english else READ_ONLY_SV) in html


@pytest.mark.parametrize("english", [False, True], ids=["sv", "en"])
@pytest.mark.parametrize("where,number,status", FAILURES)
def test_upload_to_a_failing_store_answers_with_a_message_and_leaves_nothing(app, web, world, hr, monkeypatch,
                                                                           where, number, status, english):
    if english:
        web.post("/language", {"locale": "en", "next": "/account"})
    before, files = counts(), store_files(app)
    _break_store(app, monkeypatch, where, number)
    response = post_upload(web, world)
    _assert_page(response, status, english)
    monkeypatch.undo()
    db.session.expire_all()
    assert counts() == before
    assert upload_actions() == []
    assert store_files(app) == files  # no temporary file, no partial blob
    if where == "memory_commit":
        assert app.extensions["document_store"].blobs == {}


@pytest.mark.parametrize("where,number,status", FAILURES)
def test_new_version_to_a_failing_store_answers_with_a_message_and_leaves_nothing(app, web, world, hr, monkeypatch,
                                                                                where, number, status):
    document = upload(world, PDF).document
    page = f"/documents/{document.id}"
    before, files = counts(), store_files(app)
    _break_store(app, monkeypatch, where, number)
    response = web.post(f"{page}/versions", {"file": (io.BytesIO(PDF + b"%2"), "v2.pdf")}, token_from=page,
                        content_type="multipart/form-data")
    _assert_page(response, status, english=False)
    monkeypatch.undo()
    db.session.expire_all()
    assert counts()[:2] == before[:2]
    assert upload_actions() == ["document.uploaded"]
    assert store_files(app) == files
    assert [v.number for v in db.session.get(Document, document.id).versions] == [1]


def test_a_writer_that_cannot_even_abort_still_answers_507(app, web, world, hr, monkeypatch):
    """A store so broken that the partial file cannot be removed: still a message, and fsck finds it."""
    monkeypatch.setattr(storage._DirectoryWriter, "write", _fail(errno.ENOSPC))
    monkeypatch.setattr(storage._DirectoryWriter, "abort", _fail(errno.EROFS))
    before = counts()
    _assert_page(post_upload(web, world), 507, english=False)
    db.session.expire_all()
    assert counts()[:2] == before[:2] and upload_actions() == []


# --- finding 13: temporary files of crashed uploads --------------------------------------------

def crashed_upload(app, age_seconds: float = 0) -> Path:
    """What a crashed upload leaves: a temp file nobody holds open (so nobody holds its lock)."""
    store = get_store()
    writer = store.open_writer("ef" * 16)
    writer.write(b"half an upload")
    path = writer._tmp
    writer._file.close()  # the process died: the kernel closed its descriptor and dropped the lock
    if age_seconds:
        old = path.stat().st_mtime - age_seconds
        os.utime(path, (old, old))
    return path


def test_fsck_reports_a_fresh_crashed_upload_at_once_with_its_age(app, runner):
    path = crashed_upload(app, age_seconds=5)
    result = runner.invoke(args=["documents", "fsck"])
    assert result.exit_code == 1, result.output
    assert f"temporary file (crashed upload, 5 s old): {path}" in result.output
    assert "1 temporary file(s) of crashed uploads" in result.output
    assert path.exists()
    result = runner.invoke(args=["documents", "fsck", "--remove"])
    assert result.exit_code == 0, result.output
    assert f"{path} - removed" in result.output and not path.exists()
    result = runner.invoke(args=["documents", "fsck"])
    assert result.exit_code == 0 and "agree" in result.output


def test_fsck_names_ages_in_minutes_hours_and_days(app, runner):
    path = crashed_upload(app, age_seconds=2 * 86400 + 3 * 3600 + 60)
    result = runner.invoke(args=["documents", "fsck"])
    assert f"temporary file (crashed upload, 2 d 3 h old): {path}" in result.output


def test_fsck_keeps_an_upload_in_progress_unless_forced(app, runner):
    writer = get_store().open_writer("aa" * 16)
    writer.write(b"still arriving")
    path = writer._tmp
    try:
        old = path.stat().st_mtime - 7200  # even an old one: its writer still holds the lock
        os.utime(path, (old, old))
        result = runner.invoke(args=["documents", "fsck", "--remove"])
        assert result.exit_code == 0, result.output
        assert f"temporary file (upload in progress, 2 h 0 min old): {path}" in result.output
        assert "agree" in result.output and path.exists()
        result = runner.invoke(args=["documents", "fsck", "--remove", "--force"])
        assert result.exit_code == 0, result.output
        assert f"{path} - removed" in result.output and not path.exists()
    finally:
        writer.abort()


def test_a_committed_upload_leaves_no_temporary_file(app, world, runner):
    upload(world, PDF)
    assert list(get_store().tmp_dir.iterdir()) == []
    result = runner.invoke(args=["documents", "fsck"])
    assert result.exit_code == 0 and "temporary" not in result.output


def test_without_locks_fsck_goes_by_age(app, runner, monkeypatch):
    """A file system where flock cannot be told: only files older than --in-flight-seconds are stale."""
    young, old = crashed_upload(app, age_seconds=10), None
    monkeypatch.setattr(storage, "_locked_by_writer", lambda path: None)
    result = runner.invoke(args=["documents", "fsck", "--remove"])
    assert "upload in progress, 10 s old" in result.output and young.exists()
    old = young
    stamp = old.stat().st_mtime - 120
    os.utime(old, (stamp, stamp))
    result = runner.invoke(args=["documents", "fsck", "--remove"])
    assert "crashed upload, 2 min 10 s old" in result.output and not old.exists()


def test_fsck_remove_on_a_read_only_store_says_so_and_changes_nothing(app, world, runner, monkeypatch):
    lost = upload(world, PDF, filename="lost.pdf")
    store = get_store()
    store.path_for(lost.storage_key).unlink()
    writer = store.open_writer("ab" * 16)
    writer.write(b"orphan")
    writer.commit()
    monkeypatch.setattr(storage.DirectoryStore, "delete", _fail(errno.EROFS))
    result = runner.invoke(args=["documents", "fsck", "--remove", "--grace-seconds", "0"])
    assert result.exit_code == 1
    assert "the document store failed, the database is unchanged" in result.output
    db.session.expire_all()
    assert not db.session.get(DocumentVersion, lost.id).is_erased
    assert db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "document.fsck_repaired")).scalar_one() == 0


def test_key_rotation_writes_nothing_to_the_store_so_a_read_only_store_does_not_stop_it(app, world, runner,
                                                                                        monkeypatch):
    from tracker.documents import crypto

    first = crypto.new_key_spec("k1")
    app.config["DOCUMENT_KEYS"] = first
    version = upload(world, PDF)
    app.config["DOCUMENT_KEYS"] = f"{first},{crypto.new_key_spec('k2')}"
    files = store_files(app)
    monkeypatch.setattr(storage.tempfile, "mkstemp", _fail(errno.EROFS))
    monkeypatch.setattr(storage.os, "replace", _fail(errno.EROFS))
    monkeypatch.setattr(storage.DirectoryStore, "delete", _fail(errno.EROFS))
    result = runner.invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "1 re-wrapped" in result.output
    db.session.expire_all()
    assert db.session.get(DocumentVersion, version.id).key_id == "k2"
    assert store_files(app) == files
