"""Meetings and minutes: the business rules. Services flush and audit; they never commit."""
from __future__ import annotations

import difflib
import hashlib
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.meetings.models import (
    Meeting, MeetingAttendee, Minutes, MinutesSignature, MinutesStatus, MinutesVersion, SignatureDecision,
)
from tracker.meetings.policy import can_draft_minutes, can_manage_meetings, signing_membership
from tracker.modules import module_exists
from tracker.procedure.stages import STAGES
from tracker.signals import minutes_awaiting_approval
from tracker.steering.models import MemberRole, Party, SteeringMember
from tracker.timeutil import utcnow

MAX_MINUTES_CHARS = 200_000


# --- loading ---------------------------------------------------------------------------------

def get_case_for(user: User, case_id: int) -> Case:
    """The case, or NotFound when it does not exist or `user` may not see it."""
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(user, case):
        raise NotFound()
    return case


def get_meeting_for(user: User, meeting_id: int) -> Meeting:
    """The meeting, or NotFound when it (or its case) is invisible to `user`."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    get_case_for(user, meeting.case_id)
    return meeting


def meetings_of(case: Case) -> list[Meeting]:
    """Every meeting of a case in time order (one query)."""
    return list(db.session.execute(
        select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.starts_at, Meeting.id)
    ).scalars())


# --- meetings --------------------------------------------------------------------------------

def _clean_stages(stages: Iterable[str]) -> list[str]:
    chosen = {str(s) for s in stages or ()}
    unknown = sorted(chosen - set(STAGES))
    if unknown:
        raise ValidationFailed(_("Okänt skede: %(codes)s", codes=", ".join(unknown)), field="stages")
    return [code for code in STAGES if code in chosen]


def _validate_meeting(title: str, starts_at: datetime, ends_at: datetime, place: str, link: str) -> None:
    if not (title or "").strip():
        raise ValidationFailed(_("Ange en rubrik för mötet."), field="title")
    if starts_at is None or starts_at.tzinfo is None:
        raise ValidationFailed(_("Ange när mötet börjar."), field="starts_at")
    if ends_at is None or ends_at.tzinfo is None:
        raise ValidationFailed(_("Ange när mötet slutar."), field="ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("Mötet måste sluta efter att det börjar."), field="ends_at")
    if not (place or "").strip() and not (link or "").strip():
        raise ValidationFailed(_("Ange en plats eller en länk till mötet."), field="place")
    if link and not link.strip().lower().startswith(("https://", "http://")):
        raise ValidationFailed(_("Länken måste börja med https:// eller http://."), field="link")


def _check_procedure_allows(case: Case, starts_at: datetime) -> None:
    # PROCEDURE owns the rule (e.g. fi-municipal: proposal + 5 days before the first meeting).
    if module_exists("tracker.procedure.services"):
        services = importlib.import_module("tracker.procedure.services")
        check = getattr(services, "assert_meeting_allowed", None)
        if check is not None:
            check(case, starts_at)


def _require_manager(actor: User, case: Case) -> None:
    if not can_manage_meetings(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare kan planera möten."))


def schedule_meeting(actor: User, case: Case, *, title: str, starts_at: datetime, ends_at: datetime,
                     place: str = "", stages: Iterable[str] = (), link: str = "") -> Meeting:
    """A new meeting; the current steering group members are invited. Audited as meeting.scheduled."""
    _require_manager(actor, case)
    place, link, title = (place or "").strip(), (link or "").strip(), (title or "").strip()
    _validate_meeting(title, starts_at, ends_at, place, link)
    codes = _clean_stages(stages)
    _check_procedure_allows(case, starts_at)
    meeting = Meeting(case_id=case.id, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
                      link=link, stages=codes, created_by_id=actor.id)
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
        .order_by(SteeringMember.party, SteeringMember.id)
    ).scalars().unique().all()
    meeting.attendees = [MeetingAttendee(user_id=m.user_id, member_id=m.id, party=m.party) for m in members]
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.scheduled", meeting, {
        "title": title, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
        "place": place, "link": link, "stages": codes, "invitees": [m.user_id for m in members],
    }, case_id=case.id)
    return meeting


def update_meeting(actor: User, meeting: Meeting, *, title: str, starts_at: datetime, ends_at: datetime,
                   place: str = "", stages: Iterable[str] = (), link: str = "") -> Meeting:
    """Change time, place or stages of a meeting that is not cancelled. Audited as meeting.updated."""
    case = db.session.get(Case, meeting.case_id)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt och kan inte ändras."))
    _require_minutes_open(meeting)
    place, link, title = (place or "").strip(), (link or "").strip(), (title or "").strip()
    _validate_meeting(title, starts_at, ends_at, place, link)
    codes = _clean_stages(stages)
    if starts_at != meeting.starts_at:
        _check_procedure_allows(case, starts_at)
    new = {"title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place, "link": link,
           "stages": codes}
    changes = {}
    for name, value in new.items():
        old = getattr(meeting, name)
        if old != value:
            changes[name] = {"from": old.isoformat() if isinstance(old, datetime) else old,
                             "to": value.isoformat() if isinstance(value, datetime) else value}
            setattr(meeting, name, value)
    if not changes:
        return meeting
    meeting.sequence = (meeting.sequence or 0) + 1
    db.session.flush()
    record(actor, "meeting.updated", meeting, {"changes": changes}, case_id=meeting.case_id)
    return meeting


def _require_minutes_open(meeting: Meeting) -> None:
    # The approved minutes record this meeting as it was: time, place and attendance are frozen.
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.status == MinutesStatus.APPROVED:
        raise Conflict(_("Protokollet är justerat och låst."))


def cancel_meeting(actor: User, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a meeting (kept, marked cancelled). Audited as meeting.cancelled."""
    case = db.session.get(Case, meeting.case_id)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är redan inställt."))
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.status == MinutesStatus.APPROVED:
        raise Conflict(_("Mötet har justerat protokoll och kan inte ställas in."))
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = (reason or "").strip()
    meeting.sequence = (meeting.sequence or 0) + 1
    db.session.flush()
    record(actor, "meeting.cancelled", meeting, {"reason": meeting.cancel_reason}, case_id=meeting.case_id)
    return meeting


def record_attendance(actor: User, meeting: Meeting, present: Mapping[int, bool]) -> Meeting:
    """Record who attended (attendee id -> present) once the meeting has started.

    Every invitee must be marked; recording again corrects the earlier record (audited again)."""
    case = db.session.get(Case, meeting.case_id)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt."))
    _require_minutes_open(meeting)
    if meeting.starts_at > utcnow():
        raise ValidationFailed(_("Närvaro registreras när mötet har börjat."), field="attendance")
    by_id = {a.id: a for a in meeting.attendees}
    unknown = set(present) - set(by_id)
    if unknown:
        raise ValidationFailed(_("Okänd deltagare."), field="attendance")
    missing = [a.user.name for a in meeting.attendees if a.id not in present]
    if missing:
        raise ValidationFailed(_("Ange närvaro för: %(names)s", names=", ".join(missing)), field="attendance")
    for attendee_id, is_present in present.items():
        by_id[attendee_id].present = bool(is_present)
    meeting.attendance_recorded_at = utcnow()
    db.session.flush()
    record(actor, "meeting.attendance_recorded", meeting, {
        "present": sorted(a.user_id for a in meeting.attendees if a.present),
        "absent": sorted(a.user_id for a in meeting.attendees if a.present is False),
    }, case_id=meeting.case_id)
    return meeting


# --- minutes ---------------------------------------------------------------------------------

def sha256_of(body: str) -> str:
    """The SHA-256 (hex) of the exact UTF-8 bytes of a minutes text."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def minutes_of(meeting: Meeting) -> Minutes | None:
    return db.session.execute(select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one_or_none()


def versions_of(minutes: Minutes) -> list[MinutesVersion]:
    return list(db.session.execute(
        select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id).order_by(MinutesVersion.number)
    ).scalars())


def signatures_of(minutes: Minutes) -> list[MinutesSignature]:
    """Every signature ever given, voided ones included (history), oldest first."""
    return list(db.session.execute(
        select(MinutesSignature).where(MinutesSignature.minutes_id == minutes.id)
        .order_by(MinutesSignature.signed_at, MinutesSignature.id)
    ).scalars().unique())


def minutes_signatories(case: Case) -> dict[str, list[SteeringMember]]:
    """Current steering members with role signatory, per party (one query)."""
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None),
                                     SteeringMember.role == MemberRole.SIGNATORY)
        .order_by(SteeringMember.id)
    ).scalars().unique().all()
    result: dict[str, list[SteeringMember]] = {str(p): [] for p in Party}
    for member in members:
        result.setdefault(member.party, []).append(member)
    return result


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
    case = db.session.get(Case, meeting.case_id)
    if not can_draft_minutes(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare eller sekreteraren kan skriva protokollet."))
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt."))
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
    case = db.session.get(Case, minutes.case_id)
    if not can_draft_minutes(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare eller sekreteraren kan skicka protokollet."))
    _lock_minutes_row(minutes)
    _require_unlocked(minutes)
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


def _check_signing(actor: User, version: MinutesVersion, sha256: str | None, password: str) -> tuple[Minutes, Case, SteeringMember]:
    minutes = db.session.get(Minutes, version.minutes_id)
    case = db.session.get(Case, minutes.case_id)
    if not can_view_case(actor, case):
        raise NotFound()
    member = signing_membership(actor, case)
    if member is None:
        raise PermissionDenied(_("Endast partens justerare kan justera protokollet."))
    _lock_minutes_row(minutes)
    _require_unlocked(minutes)
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
    from tracker.auth.services import confirm_password

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
    return signature


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DiffRow:
    kind: str  # "equal" | "changed" | "added" | "removed"
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def diff_versions(old: MinutesVersion, new: MinutesVersion) -> list[DiffRow]:
    """Line-by-line side-by-side difference (difflib); the template escapes the text."""
    a, b = old.body.split("\n"), new.body.split("\n")
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1)]
            continue
        left, right = list(range(i1, i2)), list(range(j1, j2))
        for k in range(max(len(left), len(right))):
            li = left[k] if k < len(left) else None
            rj = right[k] if k < len(right) else None
            kind = "changed" if li is not None and rj is not None else ("removed" if rj is None else "added")
            rows.append(DiffRow(kind, None if li is None else li + 1, "" if li is None else a[li],
                                None if rj is None else rj + 1, "" if rj is None else b[rj]))
    return rows


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    minutes: Minutes | None
    objections: list[MinutesSignature]


def case_meeting_summaries(case: Case) -> list[MeetingSummary]:
    """Meetings of a case with their minutes and live refusals: three queries, whatever the size."""
    meetings = meetings_of(case)
    ids = [m.id for m in meetings]
    minutes_by_meeting: dict[int, Minutes] = {}
    refusals: dict[int, list[MinutesSignature]] = {}
    if ids:
        for minutes in db.session.execute(select(Minutes).where(Minutes.meeting_id.in_(ids))).scalars():
            minutes_by_meeting[minutes.meeting_id] = minutes
        current_ids = [m.current_version_id for m in minutes_by_meeting.values() if m.current_version_id]
        if current_ids:
            for s in db.session.execute(
                select(MinutesSignature).where(MinutesSignature.version_id.in_(current_ids),
                                               MinutesSignature.voided_at.is_(None),
                                               MinutesSignature.decision == SignatureDecision.REFUSED)
                .order_by(MinutesSignature.signed_at)
            ).scalars().unique():
                refusals.setdefault(s.minutes_id, []).append(s)
    return [MeetingSummary(m, minutes_by_meeting.get(m.id),
                           refusals.get(minutes_by_meeting[m.id].id, []) if m.id in minutes_by_meeting else [])
            for m in meetings]


def first_meeting_start(case: Case) -> datetime | None:
    """The earliest start of a meeting of the case that is not cancelled (deadline engine input)."""
    return db.session.execute(
        select(func.min(Meeting.starts_at)).where(Meeting.case_id == case.id, Meeting.cancelled_at.is_(None))
    ).scalar()
