"""Notifications: creating them (mailed after commit), marking them read, deadline reminders.

Notifications are bookkeeping (not procedure state), so they are not audit events. They are
created inside the caller's transaction (signal receivers, `notify due`) and nothing here
commits: e-mail goes out only after the caller's unit of work commits (see `mail.py`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.i18n import locale_for
from tracker.notifications.mail import mail_enabled, queue_mail
from tracker.notifications.models import MailState, Notification, NotificationKind
from tracker.notifications.policy import can_read_notification
from tracker.procedure import deadlines as engine
from tracker.procedure.labels import deadline_label
from tracker.procedure.queries import facts_for_cases
from tracker.steering.models import SteeringMember
from tracker.timeutil import local_date, utcnow

REMINDER_DAYS = 3


def app_path(endpoint: str, **values: Any) -> str:
    """A path inside the app, built without a request (CLI, signals from services)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def case_path(case_id: int) -> str:
    """The case page's path."""
    return app_path("cases.detail", case_id=case_id)


def _insert_once(values: dict[str, Any]) -> int | None:
    """Insert a notification unless its dedup key exists (even one committed meanwhile by a
    concurrent run): the new id, or None. No savepoint, so the caller's transaction is untouched."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(Notification).values(**values)
                 .on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Notification.id))
    return db.session.execute(statement).scalar_one_or_none()


def notify(user: User | None, kind: NotificationKind, text: str, *, case_id: int | None = None, url: str = "",
           dedup_key: str | None = None, mail: bool = True) -> Notification | None:
    """Add a notification for `user` in the current transaction, mailed after its commit
    (`mail=False`: left pending for the caller's `send_pending`).

    With a `dedup_key` that already exists nothing is added and None is returned."""
    if user is None or not user.active:
        return None
    values: dict[str, Any] = {
        "user_id": user.id, "kind": NotificationKind(kind), "case_id": case_id, "text": text, "url": url or "",
        "created_at": utcnow(), "dedup_key": dedup_key,
        "mail_state": MailState.PENDING if mail_enabled() else MailState.OFF}
    if dedup_key is None:
        notification = Notification(**values)
        db.session.add(notification)
        db.session.flush()
    else:
        new_id = _insert_once(values)
        if new_id is None:
            return None
        notification = db.session.get_one(Notification, new_id)
    if mail and notification.mail_state == MailState.PENDING:
        queue_mail(notification.id)
    return notification


def notify_many(users: Iterable[User | None], kind: NotificationKind, text: str, *, exclude: User | None = None,
                **kwargs: Any) -> list[Notification]:
    """The same notification for each distinct user except `exclude` (the actor)."""
    seen: set[int] = set()
    made = []
    for user in users:
        if user is None or user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        n = notify(user, kind, text, **kwargs)
        if n is not None:
            made.append(n)
    return made


def mark_read(user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (anyone else's is NotFound: never revealed)."""
    if not can_read_notification(user, notification):
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many there were."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- reminders (`flask notify due`) ----------------------------------------------------------

@dataclass
class DueResult:
    created: int = 0
    skipped: int = 0
    mailed: int = 0


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: NotificationKind
    text: str
    case_id: int
    url: str
    dedup_key: str


def _recipients(cases: list[Case]) -> dict[int, list[User]]:
    """Responsible HR officer and current steering members per case (one query for members)."""
    by_case: dict[int, list[User]] = {case.id: [case.responsible_hr] for case in cases}
    if cases:
        members = db.session.execute(
            select(SteeringMember).where(SteeringMember.case_id.in_([c.id for c in cases]),
                                         SteeringMember.left_at.is_(None))
        ).scalars().unique()
        for member in members:
            if all(u.id != member.user_id for u in by_case[member.case_id]):
                by_case[member.case_id].append(member.user)
    return by_case


def _reminder_for(case: Case, deadline: engine.Deadline, today: date) -> tuple[NotificationKind, str, str] | None:
    """(kind, text, key prefix) when `deadline` calls for a reminder on `today`."""
    due = deadline.due
    if due is None or deadline.overridden:
        return None
    if deadline.overdue and deadline.code.startswith("evaluation"):
        text = _("Utvärderingen i %(case)s (%(title)s) skulle ha varit klar %(due)s och är försenad.",
                 case=case.diary_number, title=case.title, due=due.isoformat())
        return NotificationKind.EVALUATION_OVERDUE, text, "overdue"
    days = (due - today).days
    if deadline.met is None and 0 <= days <= REMINDER_DAYS:
        when = _("i dag") if days == 0 else _("om %(n)d dagar", n=days) if days > 1 else _("i morgon")
        text = _("%(label)s i %(case)s (%(title)s): %(due)s, %(when)s.", label=deadline_label(deadline.code),
                 case=case.diary_number, title=case.title, due=due.isoformat(), when=when)
        return NotificationKind.DEADLINE_SOON, text, "deadline"
    return None


def due_reminders(today: date | None = None) -> list[Reminder]:
    """Every reminder due on `today` (default: today in the organisation's time zone)."""
    today = today or local_date(utcnow())
    cases = list(db.session.execute(
        select(Case).where(Case.status != CaseStatus.ARCHIVED).order_by(Case.id)).scalars().unique())
    facts = facts_for_cases(cases)
    recipients = _recipients(cases)
    out = []
    for case in cases:
        for deadline in engine.compute(facts[case.id], today):
            if _reminder_for(case, deadline, today) is None:
                continue
            assert deadline.due is not None
            for user in recipients.get(case.id, []):
                with force_locale(locale_for(user)):  # each recipient reads it in their own language
                    found = _reminder_for(case, deadline, today)
                if found is None:
                    continue
                kind, text, prefix = found
                key = f"{prefix}:{user.id}:{case.id}:{deadline.code}:{deadline.due.isoformat()}"
                out.append(Reminder(user, kind, text, case.id, case_path(case.id), key))
    return out


def notify_due(today: date | None = None) -> DueResult:
    """Add the day's reminders to the current transaction (the caller commits, then mails them
    with `send_pending`). Each carries a unique key, so running twice, or two runs at once,
    never reminds anyone twice."""
    result = DueResult()
    for r in due_reminders(today):
        made = notify(r.user, r.kind, r.text, case_id=r.case_id, url=r.url, dedup_key=r.dedup_key, mail=False)
        if made is None:
            result.skipped += 1
        else:
            result.created += 1
    return result
