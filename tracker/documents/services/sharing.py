"""Sharing: named readers of secret documents, and auditors' clearances for a case."""
from __future__ import annotations

from tracker.audit.service import record
from tracker.auth.models import Role, User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.documents.models import CaseClearance, Classification, Document, DocumentReader
from tracker.documents.policy import active_clearance, case_access
from tracker.documents.services.common import audit_payload, case_of, require_visible
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.timeutil import utcnow


def check_reader(case: Case, user: User | None) -> None:
    """ValidationFailed unless `user` is an active person who may see the case."""
    if user is None or not user.active or not can_view_case(user, case):
        message = _("%(name)s kan inte vara läsare: personen har inte tillgång till ärendet.",
                    name=getattr(user, "name", "?"))
        raise ValidationFailed(message, errors={"readers": message})


def add_reader(actor: User, document: Document, user: User | None) -> DocumentReader:
    """Name `user` as a reader of a secret document."""
    case = case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ändra läsarna av det här dokumentet."))
    if document.classification != Classification.SECRET:
        raise Conflict(_("Bara sekretessbelagda dokument har namngivna läsare."))
    check_reader(case, user)
    assert user is not None  # check_reader refused None
    if user.id == document.created_by_id or any(r.user_id == user.id for r in document.readers):
        raise Conflict(_("%(name)s är redan läsare.", name=user.name))
    reader = DocumentReader(document=document, user_id=user.id, added_by_id=actor.id, added_at=utcnow())
    db.session.add(reader)
    db.session.flush()
    record(actor, "document.reader_added", document, audit_payload(document, reader_id=user.id), case_id=case.id)
    return reader


def remove_reader(actor: User, document: Document, user: User) -> None:
    """Remove a named reader (the uploader stays a reader)."""
    case = case_of(document)
    access = require_visible(actor, document, case=case)
    if not access.can_manage(document):
        raise PermissionDenied(_("Du får inte ändra läsarna av det här dokumentet."))
    row = next((r for r in document.readers if r.user_id == user.id), None)
    if row is None:
        raise NotFound(_("%(name)s är inte namngiven läsare.", name=user.name))
    document.readers.remove(row)
    db.session.flush()
    record(actor, "document.reader_removed", document, audit_payload(document, reader_id=user.id), case_id=case.id)


def has_active_clearance(case: Case, user: User) -> bool:
    """Does the auditor hold an unrevoked clearance for the case?"""
    return active_clearance(case, user) is not None


def grant_clearance(actor: User, case: Case, auditor: User | None, reason: str = "") -> CaseClearance:
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
    if case is None:  # pragma: no cover - FK
        raise NotFound()
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
