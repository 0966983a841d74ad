"""Viewing and downloading: the audited document view, denied attempts, and the download stream,
each chunk authenticated before it is sent (see docs/documents.md, "Integrity on read")."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from flask import current_app

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.documents import crypto
from tracker.documents.models import Document, DocumentVersion
from tracker.documents.policy import CaseAccess, case_access
from tracker.documents.services.common import DocumentHidden, IntegrityFailure, audit_payload, case_of, download_memory
from tracker.documents.storage import BlobMissing, BlobStore, get_store
from tracker.errors import Conflict, NotFound
from tracker.extensions import db
from tracker.i18n import gettext as _

log = logging.getLogger(__name__)


def record_denied(actor: User, document: Document, attempted: str) -> None:
    """Audit an attempt to reach a document the actor may not see (the caller keeps it, then 404)."""
    record(actor, "document.access_denied", document,
           {"document_id": document.id, "classification": document.classification, "attempted": attempted},
           case_id=document.case_id)


def record_view(actor: User, document: Document, access: CaseAccess) -> None:
    """Audit a view of the document page (content-level or metadata-only)."""
    if access.sees_metadata_only(document):
        payload = {"document_id": document.id, "classification": document.classification, "redacted": True}
    else:
        reason = access.reason(document)
        payload = audit_payload(document, redacted=False, reason=str(reason) if reason else None)
    record(actor, "document.viewed", document, payload, case_id=document.case_id)


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
        """Release the blob (idempotent)."""
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


def _open_stream(store: BlobStore, version: DocumentVersion) -> PlaintextStream:
    """Open the blob and authenticate what must be checked before the first byte is sent."""
    source: BinaryIO | None = None
    try:
        data_key = crypto.keyring().unwrap(version.key_id, version.wrapped_key)
        source = store.open_reader(version.storage_key)
        if verify_before_sending():
            return _verified_first(store, version, data_key, source)
        # One pass: the first DOCUMENT_DOWNLOAD_MEMORY of plaintext (at least one chunk) is
        # authenticated now; every later chunk is authenticated before it is sent.
        opened = crypto.open_plaintext(source, data_key=data_key, document_id=version.document_id,
                                       version_number=version.number, expected_size=version.size,
                                       hold_bytes=download_memory())
        if opened.rest is None:
            source.close()
            source = None
        return PlaintextStream(version, opened.held, opened.rest, source)
    except crypto.DocumentCryptoError as error:
        if source is not None:
            source.close()
        raise IntegrityFailure(version, str(error)) from error
    except BlobMissing as error:
        raise IntegrityFailure(version, "blob missing") from error


def prepare_download(actor: User, document: Document, version: DocumentVersion | None = None) -> PreparedDownload:
    """Check access, open and authenticate the start of the blob, audit, and return the stream.

    DocumentHidden when the actor may not read the content; IntegrityFailure when the blob is
    missing, has the wrong length or its held prefix does not authenticate (nothing has been sent
    yet); Conflict when the version was erased. See docs/documents.md, "Integrity on read".
    """
    case = case_of(document)
    access = case_access(actor, case)
    if not access.can_read(document):
        raise DocumentHidden(document)
    version = version or document.latest_version
    if version is None:
        raise NotFound()
    if version.is_erased:
        raise Conflict(_("Innehållet i den här versionen har raderats."))
    stream = _open_stream(get_store(), version)
    record(actor, "document.downloaded", version,
           audit_payload(document, version, reason=str(access.reason(document))), case_id=case.id)
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


def record_integrity_failure(actor: User, failure: IntegrityFailure) -> None:
    """Audit a download refused because the blob did not verify (the caller keeps it)."""
    version = failure.version
    if version is None:  # pragma: no cover - raised after the request: see record_stream_failure
        return
    record(actor, "document.integrity_failed", version,
           {"document_id": version.document_id, "version": version.number, "detail": failure.detail,
            "key_id": version.key_id}, case_id=version.document.case_id)


def record_stream_failure(actor_id: int, failure: IntegrityFailure) -> None:
    """Audit a download cut short because a chunk failed authentication while streaming. Runs after
    the request, in a fresh app context, so actor and version are loaded again (the caller commits)."""
    actor = db.session.get(User, actor_id)
    version = db.session.get(DocumentVersion, failure.version_id)
    if actor is None or version is None:  # pragma: no cover - rows are never deleted
        return
    record_integrity_failure(actor, IntegrityFailure(version, failure.detail))
