"""Signal receivers: domain events become notifications inside the sender's transaction.

They add rows and queue mail; they never commit (the sender's unit of work does). Connected by
`tracker.notifications.init_app`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker import signals
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.i18n import locale_for
from tracker.meetings.models import Meeting, Minutes, MinutesVersion
from tracker.notifications.labels import member_role_word, stage_change_word
from tracker.notifications.models import NotificationKind
from tracker.notifications.services import app_path, case_path, notify
from tracker.procedure.stages import stage_label
from tracker.steering.models import SteeringMember


def _in_locale(user: User, build: Callable[[], str]) -> str:
    """The text in the recipient's language, whoever triggered it."""
    with force_locale(locale_for(user)):
        return build()


def _each(users: Iterable[User | None], actor: User | None) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or user.id in seen or (actor is not None and actor.id == user.id):
            continue
        seen.add(user.id)
        out.append(user)
    return out


def on_member_added(member: SteeringMember, actor: User | None = None, case: Case | None = None,
                    **_kw: Any) -> None:
    """The new member learns of it (unless they added themselves)."""
    if case is None or member.user is None or (actor is not None and actor.id == member.user_id):
        return
    user = member.user

    def text() -> str:
        return _("Du har lagts till i styrnings- och uppföljningsgruppen för %(case)s (%(title)s) som %(role)s.",
                 case=case.diary_number, title=case.title, role=member_role_word(member.role))

    notify(user, NotificationKind.MEMBER_ADDED, _in_locale(user, text), case_id=case.id, url=case_path(case.id))


def on_stage_changed(case: Case, actor: User | None = None, stage: str | None = None, change: str | None = None,
                     **_kw: Any) -> None:
    """The responsible HR officer and the current members, except whoever changed it."""
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
    ).scalars().unique().all()
    for user in _each([case.responsible_hr, *(m.user for m in members)], actor):
        def text() -> str:
            return _("Skedet %(stage)s i %(case)s (%(title)s) har %(change)s.", stage=stage_label(stage or ""),
                     case=case.diary_number, title=case.title, change=stage_change_word(change))

        notify(user, NotificationKind.STAGE_CHANGED, _in_locale(user, text), case_id=case.id, url=case_path(case.id))


def on_minutes_awaiting_approval(version: MinutesVersion, actor: User | None = None, case: Case | None = None,
                                 signatories: Iterable[User] = (), **_kw: Any) -> None:
    """Each signatory, once per minutes version."""
    if case is None:
        return
    minutes = db.session.get_one(Minutes, version.minutes_id)
    meeting = db.session.get_one(Meeting, minutes.meeting_id)
    for user in _each(signatories, None):
        def text() -> str:
            return _("Protokollet från mötet %(meeting)s i %(case)s, version %(n)d, väntar på din justering.",
                     meeting=meeting.title, case=case.diary_number, n=version.number)

        notify(user, NotificationKind.MINUTES_AWAITING_APPROVAL, _in_locale(user, text), case_id=case.id,
               url=app_path("meetings.detail", meeting_id=meeting.id),
               dedup_key=f"minutes:{version.id}:{user.id}")


def on_urgent_decision_recorded(case: Case, actor: User | None = None, due: date | None = None,
                                **_kw: Any) -> None:
    """Both parties (the responsible HR officer and every current member), except whoever recorded it:
    the mandatory negotiation is now a task with a deadline."""
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
    ).scalars().unique().all()
    for user in _each([case.responsible_hr, *(m.user for m in members)], actor):
        def text() -> str:
            return _("Synnerliga skäl har registrerats i %(case)s (%(title)s): beslutet får fattas före förhandling, "
                     "men förhandlingen måste hållas och avslutas senast %(due)s.",
                     case=case.diary_number, title=case.title, due=due.isoformat() if due else "–")

        notify(user, NotificationKind.URGENT_NEGOTIATION, _in_locale(user, text), case_id=case.id,
               url=case_path(case.id), dedup_key=f"urgent:{case.id}:{user.id}")


def on_decision_maker_assigned(case: Case, actor: User | None = None, user: User | None = None,
                               **_kw: Any) -> None:
    """The assigned decision maker learns of it (unless they assigned themselves)."""
    if user is None or (actor is not None and actor.id == user.id):
        return
    recipient = user

    def text() -> str:
        return _("Du har utsetts till beslutsfattare i %(case)s (%(title)s).", case=case.diary_number,
                 title=case.title)

    notify(recipient, NotificationKind.DECISION_MAKER_ASSIGNED, _in_locale(recipient, text), case_id=case.id,
           url=case_path(case.id))


def connect() -> None:
    """Subscribe to the domain signals (idempotent: blinker keeps one connection per receiver)."""
    signals.member_added.connect(on_member_added, weak=False)
    signals.stage_changed.connect(on_stage_changed, weak=False)
    signals.minutes_awaiting_approval.connect(on_minutes_awaiting_approval, weak=False)
    signals.urgent_decision_recorded.connect(on_urgent_decision_recorded, weak=False)
    signals.decision_maker_assigned.connect(on_decision_maker_assigned, weak=False)
