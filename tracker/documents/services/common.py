"""What the document services share: their errors, configuration, audit payloads and loading."""
from __future__ import annotations

from typing import Any

from flask import current_app

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.documents import crypto
from tracker.documents.models import Classification, Document, DocumentVersion
from tracker.documents.policy import CaseAccess, case_access
from tracker.errors import DomainError, NotFound
from tracker.extensions import db
from tracker.i18n import gettext as _

LEGAL_BASIS_SUGGESTIONS = (
    "OSL 19 kap. 1 §",
    "OSL 39 kap. 1 §",
    "JulkL 24 § 1 mom. 29 k.",
    "JulkL 24 § 1 mom. 32 k.",
)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
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


def max_document_bytes() -> int:
    """DOCUMENT_MAX_BYTES: the largest upload accepted."""
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def download_memory() -> int:
    """Plaintext held in memory before a download's response starts (per download)."""
    value = current_app.config.get("DOCUMENT_DOWNLOAD_MEMORY")
    return int(DEFAULT_DOWNLOAD_MEMORY if value is None else value)


def chunk_size() -> int:
    """DOCUMENT_CHUNK_SIZE: plaintext bytes per encrypted chunk of new uploads."""
    return int(current_app.config.get("DOCUMENT_CHUNK_SIZE") or crypto.DEFAULT_CHUNK_SIZE)


def audit_payload(document: Document, version: DocumentVersion | None = None, **extra: Any) -> dict[str, Any]:
    """An audit payload about a document. Never the title or file name of a secret document:
    auditors read the trail, and an uncleared auditor must not learn them."""
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


def case_of(document: Document) -> Case:
    """The document's case."""
    case = db.session.get(Case, document.case_id)
    if case is None:  # pragma: no cover - FK
        raise NotFound()
    return case


def require_visible(actor: User, document: Document, *, case: Case | None = None) -> CaseAccess:
    """The actor's access to the document's case; DocumentHidden unless the document is visible
    to them at least as metadata."""
    access = case_access(actor, case or case_of(document))
    if not access.is_visible(document):
        raise DocumentHidden(document)
    return access


def get_document_for(actor: User, document_id: int) -> tuple[Document, CaseAccess]:
    """Load a document the actor may see (content or metadata); NotFound / DocumentHidden."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document, require_visible(actor, document)


def get_version(document: Document, number: int) -> DocumentVersion:
    """The version `number` of the document; NotFound."""
    for version in document.versions:
        if version.number == number:
            return version
    raise NotFound()
