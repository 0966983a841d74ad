"""Uploads: a new document with its first version, and new versions of a document. Each upload is
streamed, size-limited, type-checked by content, encrypted and stored; the row is flushed, never
committed, and the blob goes again if the transaction does not commit."""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.documents import crypto
from tracker.documents.models import Classification, Document, DocumentReader, DocumentVersion
from tracker.documents.policy import case_access
from tracker.documents.services.blobs import blob_placed
from tracker.documents.services.common import audit_payload, case_of, chunk_size, max_document_bytes, require_visible
from tracker.documents.services.sharing import check_reader
from tracker.documents.sniff import FileKind, FileRejected, clean_filename, detect
from tracker.documents.storage import BlobWriter, get_store, new_key
from tracker.documents.store_errors import store_failure
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure.stages import STAGES
from tracker.timeutil import local_date, utcnow

_SPOOL_MEMORY = 1024 * 1024

log = logging.getLogger(__name__)


def _too_large() -> str:
    mb = max_document_bytes() / (1024 * 1024)
    return _("Filen är för stor. Största tillåtna storlek är %(mb)s MB.", mb=f"{mb:g}")


def _refuse_too_large() -> ValidationFailed:
    return ValidationFailed(_too_large(), errors={"file": _too_large()})


def _seekable(stream: BinaryIO, limit: int) -> BinaryIO:
    """The stream itself if seekable, else a spooled copy (to disk past 1 MiB)."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
    copied = 0
    while True:
        block = stream.read(64 * 1024)
        if not block:
            break
        copied += len(block)
        if copied > limit:
            raise _refuse_too_large()
        spool.write(block)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _stream_size(stream: BinaryIO) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def _valid_stage(stage_code: str | None) -> str | None:
    if not stage_code:
        return None
    if stage_code not in STAGES:
        message = _("Välj ett skede i förfarandet.")
        raise ValidationFailed(message, errors={"stage_code": message})
    return stage_code


@dataclass(frozen=True)
class _Inspected:
    """An upload whose name, size and type have been checked (nothing stored yet)."""

    stream: BinaryIO
    name: str
    kind: FileKind


def _inspect(stream: BinaryIO, filename: str | None) -> _Inspected:
    """Check the name, the size and the type (by content) before anything is written."""
    limit = max_document_bytes()
    name = clean_filename(filename)
    if not name:
        raise ValidationFailed(_("Filen saknar namn."), errors={"file": _("Filen saknar namn.")})
    stream = _seekable(stream, limit)
    if _stream_size(stream) > limit:
        raise _refuse_too_large()
    try:
        kind = detect(stream, name)
    except FileRejected as error:
        raise ValidationFailed(str(error), errors={"file": str(error)}) from error
    return _Inspected(stream, name, kind)


class _StoreWriter:
    """The store's writer, its OSErrors turned into StoreUnavailable/StoreFull (an OSError of the
    upload's own stream, a broken connection, stays what it is: the store is not to blame)."""

    def __init__(self, writer: BlobWriter) -> None:
        self._writer = writer

    def write(self, data: bytes | memoryview) -> int:
        try:
            return self._writer.write(data)
        except OSError as error:
            raise store_failure(error) from error

    def commit(self) -> None:
        try:
            self._writer.commit()
        except OSError as error:
            raise store_failure(error) from error

    def abort(self) -> None:
        """Throw the partial blob away; a store too broken even for that leaves a temp file for fsck."""
        try:
            self._writer.abort()
        except OSError:
            log.exception("could not abort a failed blob write")


def _store_version(actor: User, document: Document, number: int, upload: _Inspected) -> DocumentVersion:
    """Encrypt and store one checked upload; the version row is flushed, not committed."""
    data_key = crypto.new_data_key()
    key_id, wrapped = crypto.keyring().wrap(data_key)
    store = get_store()
    storage_key = new_key()
    try:
        writer = _StoreWriter(store.open_writer(storage_key))
    except OSError as error:
        raise store_failure(error) from error
    try:
        result = crypto.encrypt_stream(upload.stream, writer, data_key=data_key, document_id=document.id,
                                       version_number=number, chunk_size=chunk_size(), max_size=max_document_bytes())
        writer.commit()
    except ValueError as error:
        writer.abort()
        raise _refuse_too_large() from error
    except BaseException:
        writer.abort()
        raise
    blob_placed(store, storage_key)
    version = DocumentVersion(
        document=document, number=number, filename=upload.name, content_type=upload.kind.content_type,
        kind=upload.kind.code, size=result.size, sha256=result.sha256, storage_key=storage_key, key_id=key_id,
        wrapped_key=wrapped, uploaded_by_id=actor.id, uploaded_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _secrecy_errors(legal_basis: str | None, secrecy_ends_on: date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not legal_basis:
        errors["legal_basis"] = _("Ange lagrummet som gör dokumentet sekretessbelagt, t.ex. \"OSL 19 kap. 1 §\".")
    elif len(legal_basis) > 200:
        errors["legal_basis"] = _("Lagrummet får vara högst 200 tecken.")
    if secrecy_ends_on is None:
        errors["secrecy_ends_on"] = _("Ange det datum då sekretessen upphör.")
    elif secrecy_ends_on < local_date(utcnow()):
        errors["secrecy_ends_on"] = _("Datumet då sekretessen upphör kan inte ligga i det förflutna.")
    return errors


def _clean_fields(classification: str, title: str, legal_basis: str | None,
                  secrecy_ends_on: date | None) -> tuple[Classification, str, str | None, date | None]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Ange en rubrik.")
    elif len(title) > 300:
        errors["title"] = _("Rubriken får vara högst 300 tecken.")
    try:
        cls = Classification(classification)
    except ValueError:
        errors["classification"] = _("Välj en informationsklass.")
        cls = Classification.OPEN
    legal_basis = (legal_basis or "").strip() or None
    if cls == Classification.SECRET:
        errors.update(_secrecy_errors(legal_basis, secrecy_ends_on))
    else:
        # Only secret documents carry a legal basis and an end of secrecy.
        legal_basis, secrecy_ends_on = None, None
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    return cls, title, legal_basis, secrecy_ends_on


def _unique_users(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None:
            seen.setdefault(user.id, user)
    return list(seen.values())


def upload(actor: User, case: Case, *, stream: BinaryIO, filename: str, title: str, classification: str,
           stage_code: str | None = None, legal_basis: str | None = None, secrecy_ends_on: date | None = None,
           readers: Iterable[User | None] = ()) -> DocumentVersion:
    """A new document with its first version (streamed, type-checked, encrypted, stored)."""
    access = case_access(actor, case)
    if not access.can_view:
        raise NotFound()
    if not access.can_upload():
        raise PermissionDenied(_("Du får inte ladda upp dokument i det här ärendet."))
    cls, title, legal_basis, secrecy_ends_on = _clean_fields(classification, title, legal_basis, secrecy_ends_on)
    stage_code = _valid_stage(stage_code)
    reader_list = [] if cls != Classification.SECRET else _unique_users(readers)
    for user in reader_list:
        check_reader(case, user)
    checked = _inspect(stream, filename)  # before the document row exists: a refused file leaves nothing

    document = Document(case_id=case.id, stage_code=stage_code, title=title, classification=cls,
                        legal_basis=legal_basis, secrecy_ends_on=secrecy_ends_on, created_by_id=actor.id,
                        created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    version = _store_version(actor, document, 1, checked)
    named = [user.id for user in reader_list if user.id != actor.id]
    for user_id in named:
        db.session.add(DocumentReader(document=document, user_id=user_id, added_by_id=actor.id))
    db.session.flush()
    record(actor, "document.uploaded", document, audit_payload(
        document, version, stage_code=stage_code, secrecy_ends_on=secrecy_ends_on, readers=named), case_id=case.id)
    return version


def add_version(actor: User, document: Document, *, stream: BinaryIO, filename: str) -> DocumentVersion:
    """A new version of an existing document."""
    case = case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ladda upp nya versioner av det här dokumentet."))
    checked = _inspect(stream, filename)
    # Serialise version numbering per document (row lock on PostgreSQL).
    db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    number = (db.session.execute(
        select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == document.id)
    ).scalar() or 0) + 1
    version = _store_version(actor, document, number, checked)
    record(actor, "document.version_added", version, audit_payload(document, version), case_id=case.id)
    return version
