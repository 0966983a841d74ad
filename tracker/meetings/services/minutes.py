"""Minutes of a meeting: immutable versions, sending for approval, approving and refusing.
Services flush and audit; they never commit."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.services import confirm_password
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.meetings.models import (
    Meeting,
    Minutes,
    MinutesSignature,
    MinutesStatus,
    MinutesVersion,
    SignatureDecision,
)
from tracker.meetings.policy import can_draft_minutes, signing_membership
from tracker.meetings.queries import minutes_of, minutes_signatories
from tracker.procedure.services import assert_meeting_not_frozen  # the procedure owns the rounds
from tracker.signals import minutes_awaiting_approval, minutes_refused
from tracker.steering.models import Party, SteeringMember
from tracker.timeutil import utcnow

MAX_MINUTES_CHARS = 200_000


def _case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound()
    return case


def sha256_of(body: str) -> str:
    """The SHA-256 (hex) of the exact UTF-8 bytes of a minutes text."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()

def _require_unlocked(minutes: Minutes) -> None:
    if minutes.is_locked:
        raise Conflict(_("Protokollet är justerat och låst."))


def _lock_minutes_row(minutes: Minutes) -> None:
    # Serialise concurrent signatures/edits of the same minutes (PostgreSQL row lock).
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Minutes.id).where(Minutes.id == minutes.id).with_for_update())
        db.session.refresh(minutes)


def save_minutes(actor: User, meeting: Meeting, body: str) -> MinutesVersion:
    """Save a new immutable version; earlier approvals are voided. Audited as minutes.drafted
    (and approvals.voided when there were any)."""
    case = _case(meeting.case_id)
    if not can_draft_minutes(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare eller sekreteraren kan skriva protokollet."))
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt."))
    assert_meeting_not_frozen(case, meeting.starts_at)
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise ValidationFailed(_("Protokollet får inte vara tomt."), field="body")
    if len(body) > MAX_MINUTES_CHARS:
        raise ValidationFailed(_("Protokollet är för långt."), field="body")
    minutes = minutes_of(meeting)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, case_id=meeting.case_id, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
        db.session.flush()
    else:
        _lock_minutes_row(minutes)
        _require_unlocked(minutes)
    current = minutes.current_version
    digest = sha256_of(body)
    if current is not None and current.sha256 == digest:
        raise ValidationFailed(_("Texten är oförändrad; ingen ny version sparades."), field="body")
    number = (db.session.execute(
        select(func.max(MinutesVersion.number)).where(MinutesVersion.minutes_id == minutes.id)
    ).scalar() or 0) + 1
    version = MinutesVersion(minutes_id=minutes.id, number=number, body=body, sha256=digest,
                             author_id=actor.id, author=actor, created_at=utcnow())
    db.session.add(version)
    db.session.flush()
    previous_status = minutes.status
    minutes.current_version_id = version.id
    minutes.current_version = version
    minutes.status = MinutesStatus.DRAFT
    minutes.submitted_at = None
    live = db.session.execute(
        select(MinutesSignature).where(MinutesSignature.minutes_id == minutes.id,
                                       MinutesSignature.voided_at.is_(None))
    ).scalars().all()
    now = utcnow()
    for signature in live:
        signature.voided_at = now
    db.session.flush()
    record(actor, "minutes.drafted", version, {
        "meeting_id": meeting.id, "minutes_id": minutes.id, "number": number, "sha256": digest,
        "previous_status": previous_status,
    }, case_id=meeting.case_id)
    if live:
        record(actor, "approvals.voided", minutes, {
            "signatures": [s.id for s in live], "by_version": number,
            "voided_versions": sorted({s.version_id for s in live}),
        }, case_id=meeting.case_id)
    return version


def submit_minutes(actor: User, minutes: Minutes) -> Minutes:
    """Send the current version to the signatories; each party needs at least one. Audited as
    minutes.submitted; sends the minutes_awaiting_approval signal."""
    case = _case(minutes.case_id)
    if not can_draft_minutes(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare eller sekreteraren kan skicka protokollet."))
    _lock_minutes_row(minutes)
    _require_unlocked(minutes)
    assert_meeting_not_frozen(case, minutes.meeting.starts_at)
    if minutes.current_version is None:
        raise ValidationFailed(_("Spara protokollet innan det skickas för justering."))
    if minutes.status != MinutesStatus.DRAFT:
        raise Conflict(_("Den här versionen är redan skickad för justering."))
    signing = minutes_signatories(case)
    missing = [p for p in (Party.EMPLOYER, Party.PERSONNEL) if not signing.get(str(p))]
    if missing:
        labels = {Party.EMPLOYER: _("arbetsgivaren"), Party.PERSONNEL: _("personalen")}
        raise Conflict(_("Protokollet kan inte skickas för justering: %(parties)s saknar justerare i "
                         "styrnings- och uppföljningsgruppen. Lägg till en medlem med rollen justerare.",
                         parties=" och ".join(labels[p] for p in missing)))
    minutes.status = MinutesStatus.AWAITING_APPROVAL
    minutes.submitted_at = utcnow()
    version = minutes.current_version
    users = [m.user for party in (Party.EMPLOYER, Party.PERSONNEL) for m in signing[str(party)]]
    db.session.flush()
    record(actor, "minutes.submitted", minutes, {
        "version": version.number, "version_id": version.id, "sha256": version.sha256,
        "signatories": [u.id for u in users],
    }, case_id=minutes.case_id)
    minutes_awaiting_approval.send(version, actor=actor, case=case, signatories=users)
    return minutes


def _check_signing(actor: User, version: MinutesVersion, sha256: str | None,
                   password: str) -> tuple[Minutes, Case, SteeringMember]:
    minutes = db.session.get(Minutes, version.minutes_id)
    if minutes is None:
        raise NotFound()
    case = _case(minutes.case_id)
    if not can_view_case(actor, case):
        raise NotFound()
    member = signing_membership(actor, case)
    if member is None:
        raise PermissionDenied(_("Endast partens justerare kan justera protokollet."))
    _lock_minutes_row(minutes)
    _require_unlocked(minutes)
    assert_meeting_not_frozen(case, minutes.meeting.starts_at)
    if minutes.status not in (MinutesStatus.AWAITING_APPROVAL, MinutesStatus.DISPUTED):
        raise Conflict(_("Protokollet är inte skickat för justering."))
    if minutes.current_version_id != version.id:
        raise Conflict(_("Det finns en nyare version av protokollet; justera den."))
    if sha256 is not None and sha256 != version.sha256:
        raise Conflict(_("Texten du läste är inte den sparade versionen. Läs protokollet igen."))
    already = db.session.execute(
        select(MinutesSignature.id).where(MinutesSignature.version_id == version.id,
                                          MinutesSignature.signer_id == actor.id,
                                          MinutesSignature.voided_at.is_(None)).limit(1)
    ).first()
    if already is not None:
        raise Conflict(_("Du har redan tagit ställning till den här versionen."))
    confirm_password(actor, password or "")
    return minutes, case, member


def _refresh_status(minutes: Minutes, case: Case) -> None:
    """approved when every current signatory of both parties approved the current version;
    disputed when any signatory refused it."""
    live = db.session.execute(
        select(MinutesSignature).where(MinutesSignature.version_id == minutes.current_version_id,
                                       MinutesSignature.voided_at.is_(None))
    ).scalars().all()
    if any(s.decision == SignatureDecision.REFUSED for s in live):
        minutes.status = MinutesStatus.DISPUTED
        return
    approved_by = {s.signer_id for s in live if s.decision == SignatureDecision.APPROVED}
    signing = minutes_signatories(case)
    needed = [m.user_id for party in (Party.EMPLOYER, Party.PERSONNEL) for m in signing.get(str(party), [])]
    parties_present = all(signing.get(str(p)) for p in (Party.EMPLOYER, Party.PERSONNEL))
    if parties_present and all(uid in approved_by for uid in needed):
        minutes.status = MinutesStatus.APPROVED
        minutes.approved_at = utcnow()


def approve_minutes(actor: User, version: MinutesVersion, *, password: str,
                    sha256: str | None = None) -> MinutesSignature:
    """A signatory approves (justerar) this exact version after re-entering their password.

    `sha256` is the hash of the text the signatory was shown; a mismatch is refused."""
    minutes, case, member = _check_signing(actor, version, sha256, password)
    signature = MinutesSignature(minutes_id=minutes.id, version_id=version.id, sha256=version.sha256,
                                 signer_id=actor.id, signer=actor, party=member.party,
                                 decision=SignatureDecision.APPROVED, signed_at=utcnow())
    db.session.add(signature)
    db.session.flush()
    _refresh_status(minutes, case)
    db.session.flush()
    record(actor, "minutes.approved", signature, {
        "minutes_id": minutes.id, "meeting_id": minutes.meeting_id, "version": version.number,
        "version_id": version.id, "sha256": version.sha256, "party": member.party,
        "minutes_status": minutes.status,
    }, case_id=minutes.case_id)
    return signature


def refuse_minutes(actor: User, version: MinutesVersion, *, password: str, objection: str,
                   sha256: str | None = None) -> MinutesSignature:
    """A signatory refuses this version with a written objection (required); minutes become disputed."""
    objection = (objection or "").strip()
    if not objection:
        raise ValidationFailed(_("Skriv en invändning: varför justerar du inte protokollet?"), field="objection")
    minutes, case, member = _check_signing(actor, version, sha256, password)
    signature = MinutesSignature(minutes_id=minutes.id, version_id=version.id, sha256=version.sha256,
                                 signer_id=actor.id, signer=actor, party=member.party,
                                 decision=SignatureDecision.REFUSED, objection=objection, signed_at=utcnow())
    db.session.add(signature)
    db.session.flush()
    _refresh_status(minutes, case)
    db.session.flush()
    record(actor, "minutes.refused", signature, {
        "minutes_id": minutes.id, "meeting_id": minutes.meeting_id, "version": version.number,
        "version_id": version.id, "sha256": version.sha256, "party": member.party, "objection": objection,
    }, case_id=minutes.case_id)
    minutes_refused.send(signature, actor=actor, case=case, version=version)
    return signature
