"""Reads for meetings and minutes, and the case-page panel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case, CaseStatus
from tracker.extensions import db
from tracker.meetings.labels import minutes_status_label
from tracker.meetings.models import (
    Meeting,
    Minutes,
    MinutesSignature,
    MinutesStatus,
    MinutesVersion,
    SignatureDecision,
)
from tracker.meetings.policy import can_draft_minutes, can_manage_meetings, can_sign_minutes
from tracker.procedure.stages import stage_label
from tracker.steering.models import MemberRole, Party, SteeringMember
from tracker.tasks import Task, TaskKind, app_path

_MEETINGS_OF = select(Meeting).where(Meeting.case_id == bindparam("case_id")).order_by(Meeting.starts_at, Meeting.id)


def meetings_of(case: Case) -> list[Meeting]:
    """Every meeting of a case in time order (one query)."""
    return list(db.session.execute(_MEETINGS_OF, {"case_id": case.id}).scalars())


def minutes_of(meeting: Meeting) -> Minutes | None:
    """The meeting's minutes, if any have been saved."""
    return db.session.execute(select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one_or_none()


def versions_of(minutes: Minutes) -> list[MinutesVersion]:
    """Every saved version of the minutes, oldest first."""
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


@dataclass(frozen=True)
class MeetingSummary:
    """A meeting with its minutes and the live refusals of their current version."""

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


# --- the case-page panel ---------------------------------------------------------------------

@dataclass(frozen=True)
class Objection:
    """A live refusal of the current minutes version: who, and why."""

    signer_name: str
    text: str


@dataclass(frozen=True)
class MeetingRow:
    """One meeting as the case page lists it."""

    id: int
    title: str
    starts_at: datetime
    is_cancelled: bool
    stage_labels: tuple[str, ...]
    minutes_status: str  # the status code, or "none" without minutes (a CSS class)
    minutes_status_label: str
    objections: tuple[Objection, ...]


@dataclass(frozen=True)
class MeetingsPanel:
    """The meetings of a case with their minutes' status; whether the user may schedule one."""

    case_id: int
    meetings: tuple[MeetingRow, ...]
    can_manage: bool


def _row(summary: MeetingSummary) -> MeetingRow:
    meeting, minutes = summary.meeting, summary.minutes
    status = minutes.status if minutes is not None else None
    return MeetingRow(
        id=meeting.id, title=meeting.title, starts_at=meeting.starts_at, is_cancelled=meeting.is_cancelled,
        stage_labels=tuple(stage_label(code) for code in meeting.stages or ()),
        minutes_status=str(status) if status else "none", minutes_status_label=minutes_status_label(status),
        objections=tuple(Objection(s.signer.name, s.objection) for s in summary.objections),
    )


def panel(user: User, case: Case, stage: str | None = None) -> MeetingsPanel:
    """The case's meetings for `user` (with `stage`: those of that stage and those tied to no stage):
    a fixed number of queries, whatever the number of meetings."""
    summaries = [s for s in case_meeting_summaries(case)
                 if stage is None or not s.meeting.stages or stage in s.meeting.stages]
    return MeetingsPanel(case_id=case.id, meetings=tuple(_row(s) for s in summaries),
                         can_manage=can_manage_meetings(user, case))


# --- one meeting's page ----------------------------------------------------------------------

@dataclass(frozen=True)
class SignatoryState:
    """One signatory's standing on the current version: `state` is "approved", "refused",
    "pending" (sent for approval, no answer yet) or "draft" (not sent yet); `version` the number
    the answer concerns."""

    member: SteeringMember
    state: str
    version: int | None
    signed_at: datetime | None = None


def signatory_states(signatories: dict[str, list[SteeringMember]], current: MinutesVersion | None,
                     minutes: Minutes | None, signatures: list[MinutesSignature]) -> tuple[SignatoryState, ...]:
    """Each signatory's state on the current version (no query: from what the page loaded)."""
    live = {s.signer_id: s for s in signatures
            if current is not None and s.version_id == current.id and s.voided_at is None}
    sent = minutes is not None and minutes.status != MinutesStatus.DRAFT and current is not None
    number = current.number if current is not None else None
    states = []
    for party in ("employer", "personnel"):
        for member in signatories.get(party, []):
            signature = live.get(member.user_id)
            if signature is not None:
                states.append(SignatoryState(member, str(signature.decision), number, signature.signed_at))
            else:
                states.append(SignatoryState(member, "pending" if sent else "draft", number))
    return tuple(states)


@dataclass(frozen=True)
class MeetingView:
    """A meeting with its minutes, their history, and what the user may do now."""

    minutes: Minutes | None
    current: MinutesVersion | None
    versions: tuple[MinutesVersion, ...]
    signatures: tuple[MinutesSignature, ...]
    signatories: dict[str, list[SteeringMember]]
    is_approved: bool
    can_change_meeting: bool  # edit, record attendance, cancel
    can_write_minutes: bool
    can_submit_minutes: bool
    may_sign: bool
    signatory_states: tuple[SignatoryState, ...] = ()
    my_state: SignatoryState | None = None  # the user's own line, when they are a signatory

    @property
    def version_numbers(self) -> dict[int, int]:
        """Version id -> its number, for the signature table."""
        return {v.id: v.number for v in self.versions}


def meeting_view(user: User, meeting: Meeting, case: Case) -> MeetingView:
    """What the meeting page shows `user` (a fixed number of queries)."""
    minutes = minutes_of(meeting)
    versions = versions_of(minutes) if minutes else []
    signatures = signatures_of(minutes) if minutes else []
    current = minutes.current_version if minutes else None
    approved = minutes is not None and minutes.status == MinutesStatus.APPROVED
    open_meeting = not meeting.is_cancelled and not approved
    signed_current = current is not None and any(
        s.signer_id == user.id and s.version_id == current.id and s.voided_at is None for s in signatures)
    awaiting = minutes is not None and minutes.status in (MinutesStatus.AWAITING_APPROVAL, MinutesStatus.DISPUTED)
    can_write = open_meeting and can_draft_minutes(user, case)
    signatories = minutes_signatories(case)
    states = signatory_states(signatories, current, minutes, signatures)
    return MeetingView(
        signatory_states=states, my_state=next((st for st in states if st.member.user_id == user.id), None),
        minutes=minutes, current=current, versions=tuple(versions), signatures=tuple(signatures),
        signatories=signatories, is_approved=approved,
        can_change_meeting=open_meeting and can_manage_meetings(user, case),
        can_write_minutes=can_write,
        can_submit_minutes=can_write and current is not None and minutes is not None
        and minutes.status == MinutesStatus.DRAFT,
        may_sign=awaiting and current is not None and not signed_current and can_sign_minutes(user, case),
    )


# --- the to-do list (tracker.home.queries.todo_for) ---------------------------------------------

_AWAITING = (MinutesStatus.AWAITING_APPROVAL, MinutesStatus.DISPUTED)


# The to-do list's statements, built once (every home page runs them): see tracker/procedure/facts.py.
_MINUTES_TASK_COLUMNS = (Minutes.current_version_id, Minutes.submitted_at, MinutesVersion.number, Meeting.id,
                         Meeting.title, Case.id, Case.diary_number, Case.title)
_PENDING_APPROVALS = (
    select(*_MINUTES_TASK_COLUMNS)
    .join(MinutesVersion, MinutesVersion.id == Minutes.current_version_id)
    .join(Meeting, Meeting.id == Minutes.meeting_id)
    .join(Case, Case.id == Minutes.case_id)
    .join(SteeringMember, (SteeringMember.case_id == Case.id) & (SteeringMember.user_id == bindparam("user_id"))
          & SteeringMember.left_at.is_(None) & (SteeringMember.role == MemberRole.SIGNATORY))
    .where(Minutes.status.in_(_AWAITING), Case.status != CaseStatus.ARCHIVED,
           ~select(MinutesSignature.id).where(MinutesSignature.version_id == Minutes.current_version_id,
                                              MinutesSignature.signer_id == bindparam("user_id"),
                                              MinutesSignature.voided_at.is_(None)).exists())
    .order_by(Minutes.submitted_at, Minutes.id))
_REFUSED_MINUTES = (
    select(*_MINUTES_TASK_COLUMNS)
    .join(MinutesVersion, MinutesVersion.id == Minutes.current_version_id)
    .join(Meeting, Meeting.id == Minutes.meeting_id)
    .join(Case, Case.id == Minutes.case_id)
    .where(Minutes.status == MinutesStatus.DISPUTED, Case.responsible_hr_id == bindparam("user_id"),
           Case.status != CaseStatus.ARCHIVED)
    .order_by(Minutes.submitted_at, Minutes.id))


def pending_approvals_for(user: User) -> list[Task]:
    """Minutes whose current version waits for `user`'s approval: sent for approval (or disputed
    by someone else), `user` a current signatory of the case, and no live signature of theirs on
    that version. A new version or the approval ends the task. One query."""
    if not has_permission(user, Permission.MINUTES_SIGN):
        return []
    rows = db.session.execute(_PENDING_APPROVALS, {"user_id": user.id}).all()
    return [Task(TaskKind.APPROVE_MINUTES, f"minutes:{version_id}", case_id, diary, title,
                 app_path("meetings.detail", "minutes", meeting_id=meeting_id), since=submitted,
                 params={"meeting": meeting_title, "n": number})
            for version_id, submitted, number, meeting_id, meeting_title, case_id, diary, title in rows]


def refused_minutes_for(user: User) -> list[Task]:
    """Disputed minutes of the cases `user` is the responsible HR officer of: revise them (a new
    version ends the task). One query."""
    if not user.has_role(Role.HR_OFFICER):
        return []
    rows = db.session.execute(_REFUSED_MINUTES, {"user_id": user.id}).all()
    return [Task(TaskKind.REVISE_MINUTES, f"minutes_refused:{version_id}", case_id, diary, title,
                 app_path("meetings.detail", "minutes", meeting_id=meeting_id), since=submitted,
                 params={"meeting": meeting_title, "n": number})
            for version_id, submitted, number, meeting_id, meeting_title, case_id, diary, title in rows]
