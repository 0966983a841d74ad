"""Signal receivers: domain events become notifications (inside the sender's transaction)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker import signals
from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.models import NotificationKind
from tracker.notifications.services import app_path, case_path, notify


def _in_locale(user: User, build: Callable[[], str]) -> str:
    """The text in the recipient's language, whoever triggered it."""
    with force_locale(user.locale or "sv"):
        return build()


def _each(users: Iterable[User], actor: Any) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or user.id in seen or (actor is not None and getattr(actor, "id", None) == user.id):
            continue
        seen.add(user.id)
        out.append(user)
    return out


def on_member_added(member, actor=None, case=None, **_kw) -> None:
    if case is None or member.user is None or (actor is not None and actor.id == member.user_id):
        return
    user = member.user

    def text() -> str:
        role = {"chair": _("ordförande"), "member": _("ledamot"), "secretary": _("sekreterare"),
                "signatory": _("justerare"), "safety_representative": _("skyddsombud")}.get(member.role, member.role)
        return _("Du har lagts till i styrnings- och uppföljningsgruppen för %(case)s (%(title)s) som %(role)s.",
                 case=case.diary_number, title=case.title, role=role)

    notify(user, NotificationKind.MEMBER_ADDED, _in_locale(user, text), case_id=case.id, url=case_path(case.id))


def on_stage_changed(case, actor=None, stage=None, change=None, **_kw) -> None:
    from tracker.procedure.stages import stage_label
    from tracker.steering.models import SteeringMember

    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
    ).scalars().unique().all()
    users = _each([case.responsible_hr, *(m.user for m in members)], actor)
    for user in users:
        def text() -> str:
            what = {"completed": _("avslutats"), "started": _("påbörjats"), "reopened": _("öppnats igen")}
            return _("Skedet %(stage)s i %(case)s (%(title)s) har %(change)s.", stage=stage_label(stage or ""),
                     case=case.diary_number, title=case.title, change=what.get(change, change or ""))

        notify(user, NotificationKind.STAGE_CHANGED, _in_locale(user, text), case_id=case.id, url=case_path(case.id))


def on_minutes_awaiting_approval(version, actor=None, case=None, signatories=(), **_kw) -> None:
    from tracker.meetings.models import Meeting, Minutes

    minutes = db.session.get(Minutes, version.minutes_id)
    meeting = db.session.get(Meeting, minutes.meeting_id)
    for user in _each(signatories, None):
        def text() -> str:
            return _("Protokollet från mötet %(meeting)s i %(case)s, version %(n)d, väntar på din justering.",
                     meeting=meeting.title, case=case.diary_number, n=version.number)

        notify(user, NotificationKind.MINUTES_AWAITING_APPROVAL, _in_locale(user, text), case_id=case.id,
               url=app_path("meetings.detail", meeting_id=meeting.id),
               dedup_key=f"minutes:{version.id}:{user.id}")


def connect() -> None:
    """Subscribe to the domain signals (idempotent: blinker keeps one connection per receiver)."""
    signals.member_added.connect(on_member_added, weak=False)
    signals.stage_changed.connect(on_stage_changed, weak=False)
    signals.minutes_awaiting_approval.connect(on_minutes_awaiting_approval, weak=False)
