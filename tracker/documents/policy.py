"""Who may see which document, and why. Views, services, templates and exports all ask these.

Rules (DESIGN §3, decisions noted):
- Nobody sees any document of a case they may not see (`can_view_case`); admins see nothing.
- `open` and `internal`: the case's participants (current steering-group members, the responsible
  HR officer, the decision makers assigned to the case) and auditors. Auditors read every case
  (DESIGN §1), so they read internal too.
- `secret`: named readers, the uploader (always a reader while they can see the case), and
  auditors holding an active clearance for the case granted by its responsible HR officer.
  The responsible HR officer is NOT implicitly a reader (need to know); they grant clearances.
- An auditor without clearance, and the responsible HR officer when not a reader (the two roles
  that export the case record), see a secret document's metadata (class, legal basis, secrecy
  end, versions with size, type and hash) but not its title, file names or content.
- Everyone else: the document does not exist for them (404, absent from lists).

`case_access(user, case)` gathers the facts once (a fixed number of queries); every predicate is
then a plain function of those facts and the document. The words for reasons and classes are in
`labels.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select, true

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case, is_assigned_decision_maker, is_member, is_responsible_hr
from tracker.documents.models import CaseClearance, Classification, Document, DocumentReader
from tracker.extensions import db


class AccessReason(StrEnum):
    RESPONSIBLE_HR = "responsible_hr"
    MEMBER = "member"
    AUDITOR = "auditor"
    UPLOADER = "uploader"
    NAMED_READER = "named_reader"
    CLEARED_AUDITOR = "cleared_auditor"
    DECISION_MAKER = "decision_maker"


def active_clearance(case: Case, user: User) -> CaseClearance | None:
    """The user's unrevoked clearance for the case, if any."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.execute(
        select(CaseClearance).where(CaseClearance.case_id == case.id, CaseClearance.user_id == user.id,
                                    CaseClearance.revoked_at.is_(None)).limit(1)
    ).scalars().first()


class DocumentFacts(Protocol):
    """What the access predicates read of a document: a `Document`, or a listing's plain row."""

    @property
    def id(self) -> int: ...

    @property
    def case_id(self) -> int: ...

    @property
    def classification(self) -> Classification: ...

    @property
    def created_by_id(self) -> int: ...


# The documents of a case the user is a named reader of; built once (every case page asks).
_READER_OF = (select(DocumentReader.document_id).join(Document, Document.id == DocumentReader.document_id)
              .where(Document.case_id == bindparam("case_id"), DocumentReader.user_id == bindparam("user_id")))


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with the documents of one case: the facts, gathered once with a fixed
    number of queries, and the predicates on them (so a list of any length costs the same)."""

    user: User
    case: Case
    can_view: bool
    is_responsible_hr: bool = False
    is_member: bool = False
    is_decision_maker: bool = False
    is_auditor: bool = False
    cleared: bool = False
    reader_of: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(cls, user: User, case: Case) -> CaseAccess:
        """The facts for `user` on `case`."""
        if not getattr(user, "is_authenticated", False) or not can_view_case(user, case):
            return cls(user=user, case=case, can_view=False)
        auditor = user.has_role(Role.AUDITOR)
        readers = frozenset(db.session.execute(_READER_OF, {"case_id": case.id, "user_id": user.id}).scalars())
        return cls(
            user=user, case=case, can_view=True,
            is_responsible_hr=is_responsible_hr(user, case),
            is_member=is_member(user, case),
            is_decision_maker=is_assigned_decision_maker(user, case),
            is_auditor=auditor,
            cleared=auditor and active_clearance(case, user) is not None,
            reader_of=readers,
        )

    def reason(self, document: DocumentFacts) -> AccessReason | None:
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
        if self.is_decision_maker:
            return AccessReason.DECISION_MAKER
        return None

    def can_read(self, document: DocumentFacts) -> bool:
        """May view and download the content."""
        return self.reason(document) is not None

    def sees_metadata_only(self, document: DocumentFacts) -> bool:
        """An uncleared auditor (or the responsible HR officer, not a reader) and a secret
        document: class, basis, hashes; no title, no file name, no content."""
        return (self.can_view and (self.is_auditor or self.is_responsible_hr)
                and document.case_id == self.case.id
                and document.classification == Classification.SECRET and not self.can_read(document))

    def is_visible(self, document: DocumentFacts) -> bool:
        """Listed at all (content or metadata)."""
        return self.can_read(document) or self.sees_metadata_only(document)

    def runs_case(self) -> bool:
        """An HR officer of the case: its responsible HR officer or an employer-side member."""
        return self.can_view and (self.is_responsible_hr or self.is_member)

    def can_manage(self, document: Document) -> bool:
        """Upload new versions and change named readers: an HR officer who runs the case
        (responsible or member) and may read the document."""
        return (has_permission(self.user, Permission.DOCUMENT_UPLOAD) and not self.case.is_archived
                and self.runs_case() and self.can_read(document))

    def can_erase(self, document: Document) -> bool:
        """Erase a version's content: an HR officer of the case who may read the document
        (allowed on archived cases too: retention usually ends after archiving)."""
        return (has_permission(self.user, Permission.DOCUMENT_ERASE)
                and self.runs_case() and self.can_read(document))

    def can_upload(self) -> bool:
        """Upload new documents to the case."""
        return (has_permission(self.user, Permission.DOCUMENT_UPLOAD)
                and not self.case.is_archived and self.runs_case())

    def can_manage_clearances(self) -> bool:
        """Grant and revoke auditor clearances: the case's responsible HR officer."""
        return (self.can_view and has_permission(self.user, Permission.CLEARANCE_GRANT)
                and self.is_responsible_hr)

    def visible_clause(self) -> ColumnElement[bool]:
        """`is_visible` as a SQL condition on `Document` (for paging a listing in the database).
        Must agree with `is_visible`; the listings check every row with it again."""
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
        other_ok = true() if self.is_member or self.is_decision_maker else false()
        return and_(Document.case_id == self.case.id, or_(and_(secret, secret_ok), and_(~secret, other_ok)))


def case_access(user: User, case: Case) -> CaseAccess:
    """The user's document access on one case (a fixed number of queries)."""
    return CaseAccess.build(user, case)


def _access_for(user: User, document: Document) -> CaseAccess | None:
    case = db.session.get(Case, document.case_id)
    return None if case is None else case_access(user, case)


def access_reason(user: User, document: Document) -> AccessReason | None:
    """Why `user` may read the document (None: they may not)."""
    access = _access_for(user, document)
    return None if access is None else access.reason(document)


def can_see_document(user: User, document: Document) -> bool:
    """Does the document exist for `user` at all (its content, or its metadata only)?"""
    access = _access_for(user, document)
    return access is not None and access.is_visible(document)


def can_read_content(user: User, document: Document) -> bool:
    """May `user` read (view, download) this document's content?"""
    access = _access_for(user, document)
    return access is not None and access.can_read(document)


def sees_metadata_only(user: User, document: Document) -> bool:
    """Does `user` see the document's metadata but not its title, file names or content?"""
    access = _access_for(user, document)
    return access is not None and access.sees_metadata_only(document)


def can_manage_document(user: User, document: Document) -> bool:
    """May `user` upload new versions of the document and change its named readers?"""
    access = _access_for(user, document)
    return access is not None and access.can_manage(document)


def can_erase_document(user: User, document: Document) -> bool:
    """May `user` erase the content of the document's versions?"""
    access = _access_for(user, document)
    return access is not None and access.can_erase(document)


def can_upload(user: User, case: Case) -> bool:
    """May `user` upload documents to the case?"""
    return case_access(user, case).can_upload()


def can_manage_clearances(user: User, case: Case) -> bool:
    """The case's responsible HR officer grants and revokes auditor clearances."""
    return case_access(user, case).can_manage_clearances()


def case_documents(case: Case) -> list[Document]:
    """Every document of a case with versions and readers loaded (a fixed number of queries)."""
    return list(db.session.execute(
        select(Document).where(Document.case_id == case.id).order_by(Document.created_at, Document.id)
    ).scalars().unique())


def can_see_clearance(user: User, clearance: CaseClearance) -> bool:
    """A clearance exists for `user` when they may see its case."""
    case = db.session.get(Case, clearance.case_id)
    return case is not None and can_view_case(user, case)
