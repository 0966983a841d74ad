"""Who may see which document, and why. Views, services, templates and exports all ask these.

Rules (DESIGN §3, decisions noted):
- Nobody sees any document of a case they may not see (`can_view_case`); admins see nothing.
- `open` and `internal`: the case's participants (current steering-group members, the responsible
  HR officer) and auditors. Auditors read every case (DESIGN §1), so they read internal too.
- `secret`: named readers, the uploader (always a reader while they can see the case), and
  auditors holding an active clearance for the case granted by its responsible HR officer.
  The responsible HR officer is NOT implicitly a reader (need to know); they grant clearances.
- An auditor without clearance, and the responsible HR officer when not a reader (the two roles
  that export the case record), see a secret document's metadata (class, legal basis, secrecy
  end, versions with size, type and hash) but not its title, file names or content.
- Everyone else: the document does not exist for them (404, absent from lists).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from tracker.access import Permission, has_permission
from tracker.auth.models import Role
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case, is_member, is_responsible_hr
from tracker.documents.models import CaseClearance, Classification, Document, DocumentReader
from tracker.extensions import db


class AccessReason(StrEnum):
    RESPONSIBLE_HR = "responsible_hr"
    MEMBER = "member"
    AUDITOR = "auditor"
    UPLOADER = "uploader"
    NAMED_READER = "named_reader"
    CLEARED_AUDITOR = "cleared_auditor"


REASON_LABELS = {
    AccessReason.RESPONSIBLE_HR: _l("du är ärendets ansvariga HR-handläggare"),
    AccessReason.MEMBER: _l("du är medlem i ärendets styrnings- och uppföljningsgrupp"),
    AccessReason.AUDITOR: _l("du är revisor och får läsa alla ärenden"),
    AccessReason.UPLOADER: _l("du laddade upp dokumentet"),
    AccessReason.NAMED_READER: _l("du är namngiven läsare av dokumentet"),
    AccessReason.CLEARED_AUDITOR: _l("du är revisor med behörighet (clearance) för ärendet"),
}

CLASS_LABELS = {
    Classification.OPEN: _l("Öppen"),
    Classification.INTERNAL: _l("Intern"),
    Classification.SECRET: _l("Sekretess"),
}


def reason_label(reason: AccessReason | str | None) -> str:
    return str(REASON_LABELS.get(reason, "")) if reason else ""


def class_label(classification: str) -> str:
    return str(CLASS_LABELS.get(classification, classification))


def active_clearance(case: Case, user: Any) -> CaseClearance | None:
    """The user's unrevoked clearance for the case, if any."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.execute(
        select(CaseClearance).where(CaseClearance.case_id == case.id, CaseClearance.user_id == user.id,
                                    CaseClearance.revoked_at.is_(None)).limit(1)
    ).scalars().first()


@dataclass
class CaseAccess:
    """What one user may do with the documents of one case, worked out with a fixed number of
    queries so a list of any length costs the same."""

    user: Any
    case: Case
    can_view: bool
    is_responsible_hr: bool = False
    is_member: bool = False
    is_auditor: bool = False
    cleared: bool = False
    reader_of: set[int] = field(default_factory=set)

    @classmethod
    def build(cls, user: Any, case: Case) -> CaseAccess:
        if not getattr(user, "is_authenticated", False) or not can_view_case(user, case):
            return cls(user=user, case=case, can_view=False)
        auditor = user.has_role(Role.AUDITOR)
        readers = set(db.session.execute(
            select(DocumentReader.document_id).join(Document, Document.id == DocumentReader.document_id)
            .where(Document.case_id == case.id, DocumentReader.user_id == user.id)
        ).scalars())
        return cls(
            user=user, case=case, can_view=True,
            is_responsible_hr=is_responsible_hr(user, case),
            is_member=is_member(user, case),
            is_auditor=auditor,
            cleared=auditor and active_clearance(case, user) is not None,
            reader_of=readers,
        )

    def reason(self, document: Document) -> AccessReason | None:
        """Why the user may read the document's content; None when they may not."""
        if not self.can_view or document.case_id != self.case.id:
            return None
        if document.classification == Classification.SECRET:
            if document.created_by_id == self.user.id:
                return AccessReason.UPLOADER
            if document.id in self.reader_of:
                return AccessReason.NAMED_READER
            if self.is_auditor and self.cleared:
                return AccessReason.CLEARED_AUDITOR
            return None
        if self.is_responsible_hr:
            return AccessReason.RESPONSIBLE_HR
        if self.is_member:
            return AccessReason.MEMBER
        if self.is_auditor:
            return AccessReason.AUDITOR
        return None

    def can_read(self, document: Document) -> bool:
        return self.reason(document) is not None

    def sees_metadata_only(self, document: Document) -> bool:
        """An uncleared auditor (or the responsible HR officer, not a reader) and a secret
        document: class, basis, hashes; no title, no file name, no content."""
        return (self.can_view and (self.is_auditor or self.is_responsible_hr)
                and document.classification == Classification.SECRET and not self.can_read(document))

    def is_visible(self, document: Document) -> bool:
        """Listed at all (content or metadata)."""
        return self.can_read(document) or self.sees_metadata_only(document)

    def can_manage(self, document: Document) -> bool:
        """Upload new versions and change named readers: an HR officer who runs the case
        (responsible or member) and may read the document."""
        return (has_permission(self.user, Permission.DOCUMENT_UPLOAD) and not self.case.is_archived
                and (self.is_responsible_hr or self.is_member) and self.can_read(document))

    def can_erase(self, document: Document) -> bool:
        """Erase a version's content: an HR officer of the case who may read the document
        (allowed on archived cases too: retention usually ends after archiving)."""
        return (has_permission(self.user, Permission.DOCUMENT_ERASE)
                and (self.is_responsible_hr or self.is_member) and self.can_read(document))

    def visible_clause(self) -> ColumnElement[bool]:
        """`is_visible` as a SQL condition on `Document` (for paging a listing in the database).
        Must agree with `is_visible`; `case_listing` checks every row with it again."""
        if not self.can_view:
            return false()
        # Secret: readable (uploader, named reader, cleared auditor) or metadata-only (auditor,
        # responsible HR officer). Others: readable by the responsible HR officer, members, auditors.
        if self.is_auditor or self.is_responsible_hr:
            return Document.case_id == self.case.id  # every document: readable or metadata-only
        secret = Document.classification == Classification.SECRET
        secret_ok = or_(Document.created_by_id == self.user.id,
                        exists().where(DocumentReader.document_id == Document.id,
                                       DocumentReader.user_id == self.user.id))
        other_ok = true() if self.is_member else false()
        return and_(Document.case_id == self.case.id, or_(and_(secret, secret_ok), and_(~secret, other_ok)))

    def can_upload(self) -> bool:
        return (self.can_view and has_permission(self.user, Permission.DOCUMENT_UPLOAD)
                and not self.case.is_archived and (self.is_responsible_hr or self.is_member))

    def can_manage_clearances(self) -> bool:
        return (self.can_view and has_permission(self.user, Permission.CLEARANCE_GRANT)
                and self.is_responsible_hr)


def case_access(user: Any, case: Case) -> CaseAccess:
    """The user's document access on one case (a fixed number of queries)."""
    return CaseAccess.build(user, case)


def can_read_content(user: Any, document: Document) -> bool:
    """May `user` read (view, download) this document's content?"""
    case = db.session.get(Case, document.case_id)
    return case is not None and case_access(user, case).can_read(document)


def access_reason(user: Any, document: Document) -> AccessReason | None:
    """Why `user` may read the document (None: they may not)."""
    case = db.session.get(Case, document.case_id)
    return None if case is None else case_access(user, case).reason(document)


def case_documents(case: Case) -> list[Document]:
    """Every document of a case with versions and readers loaded (a fixed number of queries)."""
    return list(db.session.execute(
        select(Document).where(Document.case_id == case.id).order_by(Document.created_at, Document.id)
    ).scalars().unique())


def visible_documents(user: Any, case: Case) -> list[Document]:
    """The documents of the case whose content `user` may read, oldest first."""
    access = case_access(user, case)
    if not access.can_view:
        return []
    return [d for d in case_documents(case) if access.can_read(d)]


def can_manage_clearances(user: Any, case: Case) -> bool:
    """The case's responsible HR officer grants and revokes auditor clearances."""
    return case_access(user, case).can_manage_clearances()


def filter_visible(access: CaseAccess, documents: Iterable[Document]) -> list[Document]:
    return [d for d in documents if access.is_visible(d)]
