"""Reads: the case's document listings (the case-page panel and the documents page), clearances,
auditors and the people who may be named readers. A fixed number of queries each."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import and_, bindparam, func, or_, select

from tracker.auth.models import Role, User, UserRole
from tracker.cases.models import Case
from tracker.documents.labels import class_label, reason_label
from tracker.documents.models import CaseClearance, Classification, Document, DocumentVersion
from tracker.documents.policy import CaseAccess, DocumentFacts, case_access, case_documents
from tracker.documents.services.common import LEGAL_BASIS_SUGGESTIONS
from tracker.extensions import db
from tracker.steering import roster

PANEL_LIMIT = 20

D = TypeVar("D", bound=DocumentFacts)


@dataclass
class DocumentEntry:
    """One listed document as a user may see it (`redacted`: metadata only)."""

    document: Document
    redacted: bool
    reason: str | None

    @property
    def versions(self) -> list[DocumentVersion]:
        return self.document.versions


def _visible(access: CaseAccess, documents: Sequence[D]) -> list[tuple[D, bool, str | None]]:
    """(document, redacted, reason) of each document the user sees: its content, or (redacted)
    its metadata only."""
    out: list[tuple[D, bool, str | None]] = []
    for document in documents:
        if access.can_read(document):
            out.append((document, False, str(access.reason(document))))
        elif access.sees_metadata_only(document):
            out.append((document, True, None))
    return out


def _entries(access: CaseAccess, documents: list[Document]) -> list[DocumentEntry]:
    return [DocumentEntry(*seen) for seen in _visible(access, documents)]


def case_listing(user: User, case: Case) -> tuple[list[DocumentEntry], CaseAccess]:
    """The documents of the case as `user` may see them (redacted rows for metadata-only), with a
    fixed number of queries."""
    access = case_access(user, case)
    if not access.can_view:
        return [], access
    return _entries(access, case_documents(case)), access


def visible_documents(user: User, case: Case) -> list[Document]:
    """The documents of the case whose content `user` may read, oldest first."""
    access = case_access(user, case)
    if not access.can_view:
        return []
    return [d for d in case_documents(case) if access.can_read(d)]


@dataclass(frozen=True)
class ListedVersion:
    """What a listing shows of a document's newest version."""

    number: int
    filename: str
    size: int
    uploaded_at: datetime
    sha256: str
    erased_at: datetime | None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


@dataclass(frozen=True)
class ListedDocument:
    """What a listing reads of a document (plain data: what the access predicates and the rows
    need), with its newest version."""

    id: int
    case_id: int
    classification: Classification
    created_by_id: int
    title: str
    legal_basis: str | None
    latest_version: ListedVersion | None


@dataclass(frozen=True)
class ListedEntry:
    """One document of a listing as a user may see it (`redacted`: metadata only)."""

    document: ListedDocument
    redacted: bool
    reason: str | None


_LISTED_COLUMNS = (Document.id, Document.case_id, Document.classification, Document.created_by_id, Document.title,
                   Document.legal_basis)
_VERSION_COLUMNS = (DocumentVersion.document_id, DocumentVersion.number, DocumentVersion.filename,
                    DocumentVersion.size, DocumentVersion.uploaded_at, DocumentVersion.sha256,
                    DocumentVersion.erased_at)

_VERSIONS_OF = (select(*_VERSION_COLUMNS).where(DocumentVersion.document_id.in_(bindparam("ids", expanding=True)))
                .order_by(DocumentVersion.document_id, DocumentVersion.number))


def case_panel_listing(user: User, case: Case, limit: int | None = PANEL_LIMIT, stage: str | None = None
                       ) -> tuple[list[ListedEntry], CaseAccess, int]:
    """The newest `limit` documents `user` may see (oldest first, like `case_listing`), the access
    and how many there are in all. Paged and counted in the database, so the panel costs the same
    number of queries for 10 or 10,000 documents; only what the panel shows is read, as plain rows
    (the documents' columns, their versions'; no people, no readers). `limit=None`: every document;
    `stage`: only the documents of that stage and those filed for the whole case (no stage)."""
    access = case_access(user, case)
    if not access.can_view:
        return [], access, 0
    visible = access.visible_clause()
    if stage is not None:  # the stage's documents and those of the whole case (no stage)
        visible = and_(visible, or_(Document.stage_code == stage, Document.stage_code.is_(None)))
    query = select(*_LISTED_COLUMNS).where(visible)
    if limit is None or limit <= 0:
        rows = list(db.session.execute(query.order_by(Document.created_at, Document.id)).all())
        total = len(rows)
        rows = rows if limit is None else []
    else:
        # The count of every visible document rides along as a window over the same rows (computed
        # before the LIMIT); no row shown means none visible.
        counted = db.session.execute(query.add_columns(func.count().over().label("total"))
                                     .order_by(Document.created_at.desc(), Document.id.desc()).limit(limit)).all()
        rows = list(reversed(counted))
        total = counted[0].total if counted else 0
    latest: dict[int, ListedVersion] = {}
    for v in db.session.execute(_VERSIONS_OF, {"ids": [r.id for r in rows]}):
        latest[v.document_id] = ListedVersion(*v[1:])  # the last one read is the newest
    documents = [ListedDocument(r.id, r.case_id, Classification(r.classification), r.created_by_id, r.title,
                                r.legal_basis, latest.get(r.id)) for r in rows]
    return [ListedEntry(*seen) for seen in _visible(access, documents)], access, total


def reader_candidates(case: Case, exclude: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    """(user id, "name (organisation)") of the case participants who can be named readers: the
    current steering-group members and the responsible HR officer, active, by name. The group
    comes from the roster the page has already read (no query of its own)."""
    people: dict[int, User] = {case.responsible_hr_id: case.responsible_hr}
    for member in sorted(roster.current(case), key=lambda m: m.id):
        people.setdefault(member.user_id, member.user)
    return [(uid, f"{u.name} ({u.organisation.name})") for uid, u in
            sorted(people.items(), key=lambda item: item[1].name) if uid not in exclude and u.active]


def clearances(case: Case) -> list[CaseClearance]:
    """Every clearance of the case, newest first (history included)."""
    return list(db.session.execute(
        select(CaseClearance).where(CaseClearance.case_id == case.id)
        .order_by(CaseClearance.granted_at.desc(), CaseClearance.id.desc())
    ).scalars().unique())


def auditors() -> list[User]:
    """Active auditors, for the clearance form."""
    return list(db.session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.AUDITOR, User.active.is_(True)).order_by(User.name)
    ).scalars().unique())


def auditor_candidates(case: Case) -> list[tuple[int, str]]:
    """(user id, name) of the active auditors without an active clearance for the case."""
    cleared = {c.user_id for c in clearances(case) if c.is_active}
    return [(u.id, u.name) for u in auditors() if u.id not in cleared]


# --- the case page's panel ---------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRow:
    """One document of the panel, as plain data. Redacted rows carry no title and no file name."""

    id: int
    redacted: bool
    title: str | None
    classification: Classification
    class_label: str
    legal_basis: str | None
    reason: str
    version_number: int | None
    filename: str | None
    size: int | None
    uploaded_at: datetime | None
    sha256: str | None
    erased: bool


@dataclass(frozen=True)
class DocumentsPanel:
    """The documents panel of the case page (or, with every document, the case's documents page)."""

    case_id: int
    rows: tuple[DocumentRow, ...]
    total: int
    can_upload: bool
    can_manage_clearances: bool
    reader_choices: tuple[tuple[int, str], ...] = ()
    legal_basis_suggestions: tuple[str, ...] = LEGAL_BASIS_SUGGESTIONS

    @property
    def more(self) -> bool:
        """Some visible documents are not shown (the panel shows the newest only)."""
        return self.total > len(self.rows)


def _row(entry: ListedEntry) -> DocumentRow:
    document = entry.document
    latest = document.latest_version
    return DocumentRow(
        id=document.id, redacted=entry.redacted, title=None if entry.redacted else document.title,
        classification=Classification(document.classification),
        class_label=class_label(document.classification), legal_basis=document.legal_basis,
        reason=reason_label(entry.reason), version_number=latest.number if latest else None,
        filename=latest.filename if latest and not entry.redacted else None,
        size=latest.size if latest else None, uploaded_at=latest.uploaded_at if latest else None,
        sha256=latest.sha256 if latest else None, erased=bool(latest and latest.is_erased),
    )


def panel(user: User, case: Case, limit: int | None = PANEL_LIMIT, stage: str | None = None) -> DocumentsPanel:
    """The case page's documents panel for `user`: the newest `limit` documents they may see (None:
    all; `stage`: that stage's and the whole case's only), what they may do, and the reader choices of the upload form.
    A fixed number of queries."""
    entries, access, total = case_panel_listing(user, case, limit, stage)
    can_upload = access.can_upload()
    choices = tuple(reader_candidates(case, exclude={user.id})) if can_upload else ()
    return DocumentsPanel(case_id=case.id, rows=tuple(_row(e) for e in entries), total=total,
                          can_upload=can_upload, can_manage_clearances=access.can_manage_clearances(),
                          reader_choices=choices)
