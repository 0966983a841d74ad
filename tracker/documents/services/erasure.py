"""Erasure: a version's content goes when its retention ends; a tombstone with the hash stays."""
from __future__ import annotations

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.documents.models import DocumentVersion
from tracker.documents.services.blobs import delete_after_commit
from tracker.documents.services.common import audit_payload, case_of, require_visible
from tracker.documents.storage import get_store
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.timeutil import utcnow


def erase_version(actor: User, version: DocumentVersion, reason: str) -> DocumentVersion:
    """Erase a version's content when its retention ends: the blob goes (after commit), the row
    stays as a tombstone with hash, name and the reason."""
    document = version.document
    case = case_of(document)
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
    delete_after_commit(get_store(), version.storage_key)
    record(actor, "document.erased", version, audit_payload(document, version, reason=version.erasure_reason),
           case_id=case.id)
    return version
