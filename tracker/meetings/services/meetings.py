"""Meetings of a case: scheduling, changes, cancellation, attendance. Services flush and audit;
they never commit."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.meetings.links import invalid_link_message, is_safe_meeting_link
from tracker.meetings.models import Meeting, MeetingAttendee, MinutesStatus
from tracker.meetings.policy import can_manage_meetings
from tracker.meetings.queries import minutes_of
from tracker.procedure.services import (  # the procedure owns the timing rules and the rounds
    assert_meeting_allowed,
    assert_meeting_not_frozen,
)
from tracker.procedure.stages import STAGES
from tracker.steering.models import SteeringMember
from tracker.timeutil import utcnow


def _case_of(meeting: Meeting) -> Case:
    case = db.session.get(Case, meeting.case_id)
    if case is None:
        raise NotFound()
    return case


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
    if link and not is_safe_meeting_link(link):
        raise ValidationFailed(invalid_link_message(), field="link")


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
    assert_meeting_not_frozen(case, starts_at)  # no meeting added to a frozen round
    assert_meeting_allowed(case, starts_at)
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
    case = _case_of(meeting)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt och kan inte ändras."))
    assert_meeting_not_frozen(case, meeting.starts_at)
    assert_meeting_not_frozen(case, starts_at)
    _require_minutes_open(meeting)
    place, link, title = (place or "").strip(), (link or "").strip(), (title or "").strip()
    _validate_meeting(title, starts_at, ends_at, place, link)
    codes = _clean_stages(stages)
    if starts_at != meeting.starts_at:
        assert_meeting_allowed(case, starts_at)
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
    case = _case_of(meeting)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är redan inställt."))
    assert_meeting_not_frozen(case, meeting.starts_at)
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
    case = _case_of(meeting)
    _require_manager(actor, case)
    if meeting.is_cancelled:
        raise Conflict(_("Mötet är inställt."))
    assert_meeting_not_frozen(case, meeting.starts_at)
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
