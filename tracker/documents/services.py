"""Documents: upload, versions, named readers, clearances, download, erasure, key rotation, fsck.

Services take the actor, check policy, change data, flush, audit, and never commit. Blob writes
follow the database transaction: a blob placed by an upload is deleted again if the transaction
rolls back (or the session closes uncommitted), and an erased version's blob is deleted only after
the erasure commits. A crash between the two leaves an orphan that `flask documents fsck` finds.

Audit payloads never carry the title or file name of a secret document (auditors read the trail,
and an uncleared auditor must not learn them).
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from tracker.access import Permission, has_permission
from tracker.audit.service import record
from tracker.auth.models import Role, User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.documents import crypto
from tracker.documents.models import CaseClearance, Classification, Document, DocumentReader, DocumentVersion
from tracker.documents.policy import CaseAccess, case_access, case_documents
from tracker.documents.sniff import FileRejected, clean_filename, detect
from tracker.documents.storage import BlobMissing, BlobStore, get_store, new_key
from tracker.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.timeutil import local_date, utcnow

log = logging.getLogger(__name__)

LEGAL_BASIS_SUGGESTIONS = (
    "OSL 19 kap. 1 §",
    "OSL 39 kap. 1 §",
    "JulkL 24 § 1 mom. 29 k.",
    "JulkL 24 § 1 mom. 32 k.",
)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_SPOOL_MEMORY = 1024 * 1024
# A download authenticates up to this much plaintext before its response starts, so a damaged
# document up to this size gets an error page rather than a cut download (config
# DOCUMENT_DOWNLOAD_MEMORY; with DOCUMENT_VERIFY_BEFORE_SENDING, what the verify pass keeps).
DEFAULT_DOWNLOAD_MEMORY = 256 * 1024


class DocumentHidden(NotFound):
    """The document exists but the actor may not see it (answered as 404, recorded as denied)."""

    def __init__(self, document: Document, message: str = "") -> None:
        super().__init__(message)
        self.document = document


class IntegrityFailure(DomainError):
    """The stored blob does not authenticate (damaged, truncated, wrong key) or is missing."""

    status_code = 500

    def __init__(self, version: DocumentVersion | None, detail: str, *, version_id: int | None = None) -> None:
        super().__init__(_("Filen kunde inte verifieras och lämnas därför inte ut. Den lagrade filen är "
                           "skadad eller krypteringsnyckeln stämmer inte. Händelsen är loggad; kontakta "
                           "systemförvaltningen."))
        self.version = version  # None when raised after the request (see PlaintextStream)
        self.version_id = version.id if version is not None else version_id
        self.detail = detail


# --- blob lifetime follows the transaction ------------------------------------------------------

_PLACED = "documents.placed_blobs"
_DELETE_ON_COMMIT = "documents.delete_on_commit"


def _blob_placed(store: BlobStore, key: str) -> None:
    db.session().info.setdefault(_PLACED, []).append((store, key))


def _delete_after_commit(store: BlobStore, key: str) -> None:
    db.session().info.setdefault(_DELETE_ON_COMMIT, []).append((store, key))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_PLACED, None)
    for store, key in session.info.pop(_DELETE_ON_COMMIT, []):
        try:
            store.delete(key)
        except OSError:  # the row is already a tombstone; fsck reports the leftover blob
            log.exception("could not delete erased blob %s", key)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    # Not committed (rolled back, or closed without commit): undo blob placements.
    session.info.pop(_DELETE_ON_COMMIT, None)
    for store, key in session.info.pop(_PLACED, []):
        try:
            store.delete(key)
        except OSError:
            log.exception("could not remove blob %s of a rolled-back upload", key)


# --- helpers -----------------------------------------------------------------------------------

def max_document_bytes() -> int:
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def download_memory() -> int:
    """Plaintext held in memory before a download's response starts (per download)."""
    value = current_app.config.get("DOCUMENT_DOWNLOAD_MEMORY")
    return int(DEFAULT_DOWNLOAD_MEMORY if value is None else value)


def chunk_size() -> int:
    return int(current_app.config.get("DOCUMENT_CHUNK_SIZE") or crypto.DEFAULT_CHUNK_SIZE)


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
            raise ValidationFailed(_too_large(), errors={"file": _too_large()})
        spool.write(block)
    spool.seek(0)
    return spool


def _too_large() -> str:
    mb = max_document_bytes() / (1024 * 1024)
    return _("Filen är för stor. Största tillåtna storlek är %(mb)s MB.", mb=f"{mb:g}")


def _stream_size(stream: BinaryIO) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def _payload(document: Document, version: DocumentVersion | None = None, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"document_id": document.id, "classification": document.classification}
    if document.classification != Classification.SECRET:
        payload["title"] = document.title
    else:
        payload["legal_basis"] = document.legal_basis
    if version is not None:
        payload.update(version=version.number, sha256=version.sha256, size=version.size)
        if document.classification != Classification.SECRET:
            payload["filename"] = version.filename
    payload.update(extra)
    return payload


def _valid_stage(stage_code: str | None) -> str | None:
    if not stage_code:
        return None
    from tracker.procedure.stages import STAGES

    if stage_code not in STAGES:
        raise ValidationFailed(_("Välj ett steg i förfarandet."), errors={"stage_code": _("Välj ett steg i förfarandet.")})
    return stage_code


def _store_version(actor: User, document: Document, number: int, stream: BinaryIO,
                   filename: str | None) -> DocumentVersion:
    """Sniff, encrypt and store one upload; the version row is flushed, not committed."""
    limit = max_document_bytes()
    name = clean_filename(filename)
    if not name:
        raise ValidationFailed(_("Filen saknar namn."), errors={"file": _("Filen saknar namn.")})
    stream = _seekable(stream, limit)
    if _stream_size(stream) > limit:
        raise ValidationFailed(_too_large(), errors={"file": _too_large()})
    try:
        kind = detect(stream, name)
    except FileRejected as error:
        raise ValidationFailed(str(error), errors={"file": str(error)}) from error

    ring = crypto.keyring()
    data_key = crypto.new_data_key()
    key_id, wrapped = ring.wrap(data_key)
    store = get_store()
    storage_key = new_key()
    writer = store.open_writer(storage_key)
    try:
        result = crypto.encrypt_stream(stream, writer, data_key=data_key, document_id=document.id,
                                       version_number=number, chunk_size=chunk_size(), max_size=limit)
        writer.commit()
    except ValueError as error:
        writer.abort()
        raise ValidationFailed(_too_large(), errors={"file": _too_large()}) from error
    except BaseException:
        writer.abort()
        raise
    _blob_placed(store, storage_key)
    version = DocumentVersion(
        document=document, number=number, filename=name, content_type=kind.content_type, kind=kind.code,
        size=result.size, sha256=result.sha256, storage_key=storage_key, key_id=key_id,
        wrapped_key=wrapped, uploaded_by_id=actor.id, uploaded_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _check_reader(case: Case, user: User) -> None:
    if user is None or not user.active or not can_view_case(user, case):
        message = _("%(name)s kan inte vara läsare: personen har inte tillgång till ärendet.",
                    name=getattr(user, "name", "?"))
        raise ValidationFailed(message, errors={"readers": message})


def _clean_fields(classification: str, title: str, legal_basis: str | None,
                  secrecy_ends_on: date | None) -> tuple[str, str, str | None, date | None]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Ange en rubrik.")
    elif len(title) > 300:
        errors["title"] = _("Rubriken får vara högst 300 tecken.")
    if classification not in {c.value for c in Classification}:
        errors["classification"] = _("Välj en informationsklass.")
    legal_basis = (legal_basis or "").strip() or None
    if classification == Classification.SECRET:
        if not legal_basis:
            errors["legal_basis"] = _("Ange lagrummet som gör dokumentet sekretessbelagt, t.ex. \"OSL 19 kap. 1 §\".")
        elif len(legal_basis) > 200:
            errors["legal_basis"] = _("Lagrummet får vara högst 200 tecken.")
        if secrecy_ends_on is None:
            errors["secrecy_ends_on"] = _("Ange det datum då sekretessen upphör.")
        elif secrecy_ends_on < local_date(utcnow()):
            errors["secrecy_ends_on"] = _("Datumet då sekretessen upphör kan inte ligga i det förflutna.")
    else:
        # Only secret documents carry a legal basis and an end of secrecy.
        legal_basis, secrecy_ends_on = None, None
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    return classification, title, legal_basis, secrecy_ends_on


# --- upload and versions -----------------------------------------------------------------------

def upload(actor: User, case: Case, *, stream: BinaryIO, filename: str, title: str, classification: str,
           stage_code: str | None = None, legal_basis: str | None = None, secrecy_ends_on: date | None = None,
           readers: Iterable[User] = ()) -> DocumentVersion:
    """A new document with its first version (streamed, type-checked, encrypted, stored)."""
    access = case_access(actor, case)
    if not access.can_view:
        raise NotFound()
    if not access.can_upload():
        raise PermissionDenied(_("Du får inte ladda upp dokument i det här ärendet."))
    classification, title, legal_basis, secrecy_ends_on = _clean_fields(
        classification, title, legal_basis, secrecy_ends_on)
    stage_code = _valid_stage(stage_code)
    reader_list = [] if classification != Classification.SECRET else _unique_users(readers)
    for user in reader_list:
        _check_reader(case, user)

    document = Document(case_id=case.id, stage_code=stage_code, title=title, classification=classification,
                        legal_basis=legal_basis, secrecy_ends_on=secrecy_ends_on, created_by_id=actor.id,
                        created_at=utcnow())
    db.session.add(document)
    db.session.flush()
    version = _store_version(actor, document, 1, stream, filename)
    for user in reader_list:
        if user.id != actor.id:
            db.session.add(DocumentReader(document=document, user_id=user.id, added_by_id=actor.id))
    db.session.flush()
    record(actor, "document.uploaded", document, _payload(
        document, version, stage_code=stage_code, secrecy_ends_on=secrecy_ends_on,
        readers=[u.id for u in reader_list if u.id != actor.id]), case_id=case.id)
    return version


def _unique_users(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None:
            seen.setdefault(user.id, user)
    return list(seen.values())


def add_version(actor: User, document: Document, *, stream: BinaryIO, filename: str) -> DocumentVersion:
    """A new version of an existing document."""
    case = _case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ladda upp nya versioner av det här dokumentet."))
    # Serialise version numbering per document (row lock on PostgreSQL).
    db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    number = (db.session.execute(
        select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == document.id)
    ).scalar() or 0) + 1
    version = _store_version(actor, document, number, stream, filename)
    record(actor, "document.version_added", version, _payload(document, version), case_id=case.id)
    return version


# --- readers and clearances --------------------------------------------------------------------

def add_reader(actor: User, document: Document, user: User) -> DocumentReader:
    """Name `user` as a reader of a secret document."""
    case = _case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ändra läsarna av det här dokumentet."))
    if document.classification != Classification.SECRET:
        raise Conflict(_("Bara sekretessbelagda dokument har namngivna läsare."))
    _check_reader(case, user)
    if user.id == document.created_by_id or any(r.user_id == user.id for r in document.readers):
        raise Conflict(_("%(name)s är redan läsare.", name=user.name))
    reader = DocumentReader(document=document, user_id=user.id, added_by_id=actor.id, added_at=utcnow())
    db.session.add(reader)
    db.session.flush()
    record(actor, "document.reader_added", document, _payload(document, reader_id=user.id), case_id=case.id)
    return reader


def remove_reader(actor: User, document: Document, user: User) -> None:
    """Remove a named reader (the uploader stays a reader)."""
    case = _case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ändra läsarna av det här dokumentet."))
    row = next((r for r in document.readers if r.user_id == user.id), None)
    if row is None:
        raise NotFound(_("%(name)s är inte namngiven läsare.", name=user.name))
    document.readers.remove(row)
    db.session.flush()
    record(actor, "document.reader_removed", document, _payload(document, reader_id=user.id), case_id=case.id)


def grant_clearance(actor: User, case: Case, auditor: User, reason: str = "") -> CaseClearance:
    """The case's responsible HR officer lets an auditor read the case's secret documents."""
    access = case_access(actor, case)
    if not access.can_view:
        raise NotFound()
    if not access.can_manage_clearances():
        raise PermissionDenied(_("Bara ärendets ansvariga HR-handläggare kan ge revisorer behörighet."))
    if auditor is None or not auditor.active or not auditor.has_role(Role.AUDITOR):
        message = _("Behörighet kan bara ges till en aktiv revisor.")
        raise ValidationFailed(message, errors={"auditor": message})
    if has_active_clearance(case, auditor):
        raise Conflict(_("%(name)s har redan behörighet för ärendet.", name=auditor.name))
    clearance = CaseClearance(case_id=case.id, user_id=auditor.id, reason=(reason or "").strip()[:2000],
                              granted_by_id=actor.id, granted_at=utcnow())
    db.session.add(clearance)
    db.session.flush()
    record(actor, "clearance.granted", clearance, {"auditor_id": auditor.id, "auditor": auditor.name,
                                                  "reason": clearance.reason}, case_id=case.id)
    return clearance


def revoke_clearance(actor: User, clearance: CaseClearance, reason: str = "") -> None:
    """End an auditor's clearance (the row stays, with who and when)."""
    case = db.session.get(Case, clearance.case_id)
    access = case_access(actor, case)
    if not access.can_view:
        raise NotFound()
    if not access.can_manage_clearances():
        raise PermissionDenied(_("Bara ärendets ansvariga HR-handläggare kan återkalla behörighet."))
    if clearance.revoked_at is not None:
        raise Conflict(_("Behörigheten är redan återkallad."))
    clearance.revoked_at = utcnow()
    clearance.revoked_by_id = actor.id
    clearance.revocation_reason = (reason or "").strip()[:2000] or None
    db.session.flush()
    record(actor, "clearance.revoked", clearance, {"auditor_id": clearance.user_id,
                                                  "reason": clearance.revocation_reason}, case_id=case.id)


def has_active_clearance(case: Case, user: User) -> bool:
    from tracker.documents.policy import active_clearance

    return active_clearance(case, user) is not None


def clearances(case: Case) -> list[CaseClearance]:
    """Every clearance of the case, newest first (history included)."""
    return list(db.session.execute(
        select(CaseClearance).where(CaseClearance.case_id == case.id)
        .order_by(CaseClearance.granted_at.desc(), CaseClearance.id.desc())
    ).scalars().unique())


def auditors() -> list[User]:
    """Active auditors, for the clearance form."""
    from tracker.auth.models import UserRole

    return list(db.session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.AUDITOR, User.active.is_(True)).order_by(User.name)
    ).scalars().unique())


# --- loading, viewing, downloading ---------------------------------------------------------------

def _case_of(document: Document) -> Case:
    case = db.session.get(Case, document.case_id)
    if case is None:  # pragma: no cover - FK
        raise NotFound()
    return case


def require_visible(actor: Any, document: Document, *, case: Case | None = None) -> CaseAccess:
    """The actor's access to the document's case; DocumentHidden unless the document is visible
    to them at least as metadata."""
    case = case or _case_of(document)
    access = case_access(actor, case)
    if not access.is_visible(document):
        raise DocumentHidden(document)
    return access


def get_document_for(actor: Any, document_id: int) -> tuple[Document, CaseAccess]:
    """Load a document the actor may see (content or metadata); NotFound / DocumentHidden."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document, require_visible(actor, document)


def get_version(document: Document, number: int) -> DocumentVersion:
    for version in document.versions:
        if version.number == number:
            return version
    raise NotFound()


def record_denied(actor: Any, document: Document, attempted: str) -> None:
    """Audit an attempt to reach a document the actor may not see (the caller commits, then 404)."""
    record(actor, "document.access_denied", document,
           {"document_id": document.id, "classification": document.classification, "attempted": attempted},
           case_id=document.case_id)


def record_view(actor: Any, document: Document, access: CaseAccess) -> None:
    """Audit a view of the document page (content-level or metadata-only)."""
    redacted = access.sees_metadata_only(document)
    reason = access.reason(document)
    record(actor, "document.viewed", document,
           _payload(document, redacted=redacted, reason=str(reason) if reason else None)
           if not redacted else {"document_id": document.id, "classification": document.classification,
                                 "redacted": True},
           case_id=document.case_id)


class PlaintextStream:
    """The plaintext of one version, chunk by chunk: what `prepare_download` hands the view.

    Iterate once. A chunk that fails authentication while streaming raises IntegrityFailure before
    any of its bytes are yielded (the caller audits it and cuts the response). `close()` releases
    the blob whether or not the stream was read; it is idempotent. The stream is read after the
    request's session has closed, so it keeps plain values, not the version row.
    """

    def __init__(self, version: DocumentVersion, held: list[bytes], rest: Iterator[bytes] | None,
                 source: BinaryIO | None) -> None:
        self._version_id = version.id
        self._storage_key = version.storage_key
        self._held = held
        self._rest = rest
        self._source = source

    def __iter__(self) -> Iterator[bytes]:
        held, self._held = self._held, []
        try:
            while held:
                yield held.pop(0)
            if self._rest is not None:
                try:
                    yield from self._rest
                except crypto.DocumentCryptoError as error:
                    log.error("document blob %s failed authentication while streaming: %s", self._storage_key, error)
                    raise IntegrityFailure(None, f"while streaming: {error}", version_id=self._version_id) from error
        finally:
            self.close()

    def close(self) -> None:
        self._held = []
        rest, self._rest = self._rest, None
        source, self._source = self._source, None
        try:
            if rest is not None and hasattr(rest, "close"):
                rest.close()
        finally:
            if source is not None:
                source.close()


@dataclass
class PreparedDownload:
    version: DocumentVersion
    chunks: PlaintextStream = field(repr=False)


def verify_before_sending() -> bool:
    """DOCUMENT_VERIFY_BEFORE_SENDING: authenticate the whole blob before the first byte (two passes)."""
    return bool(current_app.config.get("DOCUMENT_VERIFY_BEFORE_SENDING"))


def prepare_download(actor: Any, document: Document, version: DocumentVersion | None = None) -> PreparedDownload:
    """Check access, open and authenticate the start of the blob, audit, and return the stream.

    DocumentHidden when the actor may not read the content; IntegrityFailure when the blob is
    missing, has the wrong length or its held prefix does not authenticate (nothing has been sent
    yet); Conflict when the version was erased. See docs/documents.md, "Integrity on read".
    """
    case = _case_of(document)
    access = case_access(actor, case)
    if not access.can_read(document):
        raise DocumentHidden(document)
    version = version or document.latest_version
    if version is None:
        raise NotFound()
    if version.is_erased:
        raise Conflict(_("Innehållet i den här versionen har raderats."))
    store = get_store()
    source = None
    try:
        data_key = crypto.keyring().unwrap(version.key_id, version.wrapped_key)
        source = store.open_reader(version.storage_key)
        if verify_before_sending():
            stream = _verified_first(store, version, data_key, source)
        else:
            # One pass: the first DOCUMENT_DOWNLOAD_MEMORY of plaintext (at least one chunk) is
            # authenticated now; every later chunk is authenticated before it is sent.
            opened = crypto.open_plaintext(source, data_key=data_key, document_id=document.id,
                                           version_number=version.number, expected_size=version.size,
                                           hold_bytes=download_memory())
            if opened.rest is None:
                source.close()
                source = None
            stream = PlaintextStream(version, opened.held, opened.rest, source)
    except crypto.DocumentCryptoError as error:
        if source is not None:
            source.close()
        raise IntegrityFailure(version, str(error)) from error
    except BlobMissing as error:
        raise IntegrityFailure(version, "blob missing") from error
    record(actor, "document.downloaded", version,
           _payload(document, version, reason=str(access.reason(document))), case_id=case.id)
    return PreparedDownload(version=version, chunks=stream)


def _verified_first(store: BlobStore, version: DocumentVersion, data_key: bytes, source: BinaryIO) -> PlaintextStream:
    """Two passes: every chunk's tag (and the plaintext size) is checked before the first byte is
    sent, keeping the leading chunks; the stream then decrypts the rest again from a fresh reader.
    The SHA-256 is not recomputed (the tags prove the blob is the one sealed, and hashed, at upload)."""
    with source:
        verified = crypto.verify_and_keep(source, data_key=data_key, document_id=version.document_id,
                                          version_number=version.number, expected_size=version.size,
                                          keep_bytes=download_memory())
    if verified.complete:
        return PlaintextStream(version, verified.kept, None, None)
    again = store.open_reader(version.storage_key)
    rest = crypto.decrypt_chunks(again, data_key=data_key, document_id=version.document_id,
                                 version_number=version.number, start=len(verified.kept))
    return PlaintextStream(version, verified.kept, rest, again)


def record_integrity_failure(actor: Any, failure: IntegrityFailure) -> None:
    """Audit a download refused because the blob did not verify (the caller commits)."""
    version = failure.version
    record(actor, "document.integrity_failed", version,
           {"document_id": version.document_id, "version": version.number, "detail": failure.detail,
            "key_id": version.key_id}, case_id=version.document.case_id)


def record_stream_failure(actor_id: int, failure: IntegrityFailure) -> None:
    """Audit a download cut short because a chunk failed authentication while streaming. Runs after
    the request, in a fresh app context, so actor and version are loaded again (the caller commits)."""
    actor = db.session.get(User, actor_id)
    version = db.session.get(DocumentVersion, failure.version_id)
    record_integrity_failure(actor, IntegrityFailure(version, failure.detail))


# --- erasure -----------------------------------------------------------------------------------

def erase_version(actor: User, version: DocumentVersion, reason: str) -> DocumentVersion:
    """Erase a version's content when its retention ends: the blob goes (after commit), the row
    stays as a tombstone with hash, name and the reason."""
    document = version.document
    case = _case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_erase(document):
        raise PermissionDenied(_("Du får inte radera dokumentinnehåll i det här ärendet."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Ange varför innehållet raderas (t.ex. att gallringsfristen har löpt ut).")
        raise ValidationFailed(message, errors={"reason": message})
    if version.is_erased:
        raise Conflict(_("Versionen är redan raderad."))
    version.erased_at = utcnow()
    version.erased_by_id = actor.id
    version.erasure_reason = reason[:2000]
    db.session.flush()
    _delete_after_commit(get_store(), version.storage_key)
    record(actor, "document.erased", version, _payload(document, version, reason=version.erasure_reason),
           case_id=case.id)
    return version


# --- listings for the case page and exports ----------------------------------------------------

@dataclass
class DocumentEntry:
    document: Document
    redacted: bool
    reason: str | None

    @property
    def versions(self) -> list[DocumentVersion]:
        return self.document.versions


def case_listing(user: Any, case: Case) -> tuple[list[DocumentEntry], CaseAccess]:
    """The documents of the case as `user` may see them (redacted rows for metadata-only), with a
    fixed number of queries."""
    access = case_access(user, case)
    if not access.can_view:
        return [], access
    entries = []
    for document in case_documents(case):
        if access.can_read(document):
            entries.append(DocumentEntry(document, False, str(access.reason(document))))
        elif access.sees_metadata_only(document):
            entries.append(DocumentEntry(document, True, None))
    return entries, access


PANEL_LIMIT = 20


def case_panel_listing(user: Any, case: Case, limit: int | None = PANEL_LIMIT
                       ) -> tuple[list[DocumentEntry], CaseAccess, int]:
    """The case page's document panel: the newest `limit` documents `user` may see (oldest first,
    like `case_listing`), the access and how many there are in all. Paged and counted in the
    database, so the panel costs the same number of queries for 10 or 10,000 documents; only what
    the panel shows is loaded (versions, not people or readers). `limit=None`: every document."""
    access = case_access(user, case)
    if not access.can_view:
        return [], access, 0
    visible = access.visible_clause()
    query = (select(Document).where(visible)
             .options(lazyload(Document.created_by), lazyload(Document.readers),
                      selectinload(Document.versions).options(lazyload(DocumentVersion.uploaded_by),
                                                              lazyload(DocumentVersion.erased_by))))
    if limit is None:
        documents = list(db.session.execute(query.order_by(Document.created_at, Document.id)).scalars())
        total = len(documents)
    else:
        documents = list(db.session.execute(
            query.order_by(Document.created_at.desc(), Document.id.desc()).limit(limit)).scalars())
        documents.reverse()
        total = db.session.execute(select(func.count()).select_from(Document).where(visible)).scalar_one()
    entries = []
    for document in documents:
        if access.can_read(document):
            entries.append(DocumentEntry(document, False, str(access.reason(document))))
        elif access.sees_metadata_only(document):
            entries.append(DocumentEntry(document, True, None))
    return entries, access, total


def export_listing(user: Any, case: Case) -> list[dict[str, Any]]:
    """The document list for a procedure-record export: every document `user` may see, with its
    versions, hashes and class; secret documents the user may not read appear as metadata only
    (title and file names None, `redacted` True). Read-only, a fixed number of queries."""
    entries, _access = case_listing(user, case)
    rows = []
    for entry in entries:
        doc = entry.document
        rows.append({
            "id": doc.id,
            "title": None if entry.redacted else doc.title,
            "classification": doc.classification,
            "stage_code": doc.stage_code,
            "legal_basis": doc.legal_basis,
            "secrecy_ends_on": doc.secrecy_ends_on.isoformat() if doc.secrecy_ends_on else None,
            "created_at": doc.created_at.isoformat(),
            "redacted": entry.redacted,
            "versions": [{
                "number": v.number,
                "filename": None if entry.redacted else v.filename,
                "content_type": v.content_type,
                "size": v.size,
                "sha256": v.sha256,
                "uploaded_at": v.uploaded_at.isoformat(),
                "uploaded_by": v.uploaded_by.name,
                "erased_at": v.erased_at.isoformat() if v.erased_at else None,
                "erasure_reason": None if entry.redacted else v.erasure_reason,
            } for v in doc.versions],
        })
    return rows


def redacted_audit_targets(user: Any, case: Case) -> set[tuple[str, str]]:
    """(target_type, target_id) of audit events about documents `user` sees only as metadata."""
    entries, _access = case_listing(user, case)
    targets: set[tuple[str, str]] = set()
    for entry in entries:
        if entry.redacted:
            targets.add(("documents", str(entry.document.id)))
            targets.update(("document_versions", str(v.id)) for v in entry.document.versions)
    return targets


# --- operations: key rotation, consistency check -----------------------------------------------

def rotate_keys(actor: User | None = None, batch: int = 500) -> dict[str, int]:
    """Re-wrap every data key under the newest key-encryption key; one audit event with counts."""
    ring = crypto.keyring()
    counts = {"rewrapped": 0, "already_current": 0, "erased_skipped": 0}
    last_id = 0
    while True:
        versions = list(db.session.execute(
            select(DocumentVersion).where(DocumentVersion.id > last_id).order_by(DocumentVersion.id).limit(batch)
        ).scalars())
        if not versions:
            break
        for version in versions:
            last_id = version.id
            if version.is_erased:
                counts["erased_skipped"] += 1
            elif version.key_id == ring.current_id:
                counts["already_current"] += 1
            else:
                data_key = ring.unwrap(version.key_id, version.wrapped_key)
                version.key_id, version.wrapped_key = ring.wrap(data_key)
                counts["rewrapped"] += 1
        db.session.flush()
    record(actor, "document.keys_rotated", ("document_keys", ring.current_id), {**counts, "key_id": ring.current_id})
    return counts


@dataclass
class FsckReport:
    orphan_blobs: list[str] = field(default_factory=list)
    missing_blobs: list[tuple[int, str]] = field(default_factory=list)  # (version id, storage key)
    stale_temporary: list[str] = field(default_factory=list)
    removed: bool = False

    @property
    def clean(self) -> bool:
        return not (self.orphan_blobs or self.missing_blobs or self.stale_temporary)


def fsck(*, remove: bool = False, grace_seconds: float = 3600, actor: User | None = None) -> FsckReport:
    """Compare the store with the database: blobs without a live version row (orphans, older
    than `grace_seconds` so uploads in progress are left alone) and live versions without a blob.

    With `remove`: orphan blobs and stale temporary files are deleted, and versions whose blob is
    gone become tombstones (erased, reason says so): one audit event with the counts.
    """
    store = get_store()
    live: dict[str, int] = dict(db.session.execute(
        select(DocumentVersion.storage_key, DocumentVersion.id).where(DocumentVersion.erased_at.is_(None))
    ).all())
    all_keys = set(db.session.execute(select(DocumentVersion.storage_key)).scalars())
    report = FsckReport()
    present = set(store.list_keys())
    old_enough = set(store.list_keys(older_than_seconds=grace_seconds)) if grace_seconds else present
    report.orphan_blobs = sorted(k for k in old_enough if k not in live)
    report.missing_blobs = sorted((vid, key) for key, vid in live.items() if key not in present)
    stale = getattr(store, "stale_temporary_files", None)
    stale_files = stale(grace_seconds) if stale else []
    report.stale_temporary = [str(p) for p in stale_files]
    if remove and not report.clean:
        for key in report.orphan_blobs:
            store.delete(key)
        for path in stale_files:
            path.unlink(missing_ok=True)
        now = utcnow()
        for version_id, _key in report.missing_blobs:
            version = db.session.get(DocumentVersion, version_id)
            version.erased_at = now
            version.erased_by_id = None
            version.erasure_reason = "fsck: stored file missing"
        db.session.flush()
        record(actor, "document.fsck_repaired", ("document_store", "fsck"), {
            "orphan_blobs_removed": len(report.orphan_blobs),
            "orphans_of_erased_versions": len([k for k in report.orphan_blobs if k in all_keys]),
            "versions_tombstoned": [vid for vid, _ in report.missing_blobs],
            "temporary_files_removed": len(stale_files),
        })
        report.removed = True
    return report
