"""Notifications: in-app list, unread count, e-mail over SMTP, deadline reminders.

Notifications are bookkeeping (not procedure state), so they are not audit events. They are
created inside the caller's transaction (signal receivers, `notify due`); e-mail goes out only
after that transaction commits, so a rolled-back action never mails anyone.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from tracker.auth.models import User
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.notifications.models import MailState, Notification, NotificationKind
from tracker.timeutil import local_date, utcnow

log = logging.getLogger(__name__)

MAX_MAIL_ATTEMPTS = 5
REMINDER_DAYS = 3
_PENDING_KEY = "notifications_to_mail"


# --- creating --------------------------------------------------------------------------------

def mail_enabled() -> bool:
    """E-mail is on when SMTP_HOST is configured."""
    return bool(current_app.config.get("SMTP_HOST"))


def app_path(endpoint: str, **values: Any) -> str:
    """A path inside the app, built without a request (CLI, signals from services)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return ""


def case_path(case_id: int) -> str:
    return app_path("cases.detail", case_id=case_id) or app_path("meetings.case_meetings", case_id=case_id)


def notify(user: User, kind: str, text: str, *, case_id: int | None = None, url: str = "",
           dedup_key: str | None = None) -> Notification | None:
    """Add a notification for `user` in the current transaction (mailed after commit).

    With a `dedup_key` that already exists nothing is added and None is returned."""
    if user is None or not getattr(user, "active", True):
        return None
    if dedup_key is not None and db.session.execute(
            select(Notification.id).where(Notification.dedup_key == dedup_key)).first() is not None:
        return None
    notification = Notification(
        user_id=user.id, kind=str(kind), case_id=case_id, text=text, url=url or "", created_at=utcnow(),
        dedup_key=dedup_key, mail_state=MailState.PENDING if mail_enabled() else MailState.OFF)
    db.session.add(notification)
    db.session.flush()
    if notification.mail_state == MailState.PENDING:
        db.session.info.setdefault(_PENDING_KEY, set()).add(notification.id)
    return notification


def notify_many(users: Iterable[User], kind: str, text: str, *, exclude: User | None = None,
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


# --- reading and marking ---------------------------------------------------------------------

def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def list_for(user: User, *, limit: int = 50, offset: int = 0) -> list[Notification]:
    """The user's notifications, newest first (one query)."""
    return list(db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    ).scalars())


def count_for(user: User) -> int:
    return db.session.execute(select(func.count(Notification.id)).where(Notification.user_id == user.id)).scalar_one()


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (another user's answers NotFound)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- e-mail ----------------------------------------------------------------------------------

KIND_SUBJECTS = {
    NotificationKind.MEMBER_ADDED: _l("Du har lagts till i en styrnings- och uppföljningsgrupp"),
    NotificationKind.STAGE_CHANGED: _l("Ett skede har ändrats"),
    NotificationKind.MINUTES_AWAITING_APPROVAL: _l("Protokoll väntar på din justering"),
    NotificationKind.DEADLINE_SOON: _l("En tidsfrist närmar sig"),
    NotificationKind.EVALUATION_OVERDUE: _l("Utvärderingen är försenad"),
}


def _subject(kind: str) -> str:
    return "Samverkan: " + str(KIND_SUBJECTS.get(kind) or _("Avisering"))


def _message(row: Any) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "samverkan@localhost"
    message["To"] = row.email
    message["Subject"] = _subject(row.kind)
    body = row.text
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if row.url:
        body += "\n\n" + (base + row.url if base else row.url)
    body += "\n\n-- \n" + _("Meddelandet skickades av Samverkan. Alla aviseringar finns under Aviseringar i tjänsten.")
    message.set_content(body)
    return message


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    client = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25), timeout=15)
    if config.get("SMTP_STARTTLS"):
        client.starttls()
    if config.get("SMTP_USER"):
        client.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    return client


def send_pending(ids: Iterable[int] | None = None, *, limit: int = 500) -> int:
    """Mail pending notifications (all, or only `ids`); returns how many were sent.

    Each row is claimed (pending -> sending) in its own statement before sending, so two senders
    never mail the same notification. Runs on its own connection, outside the caller's session."""
    if not mail_enabled():
        return 0
    table, users = Notification.__table__, User.__table__
    query = (select(table.c.id, table.c.kind, table.c.text, table.c.url, table.c.mail_attempts, users.c.email)
             .join(users, users.c.id == table.c.user_id)
             .where(table.c.mail_state == MailState.PENDING).order_by(table.c.id).limit(limit))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return 0
        query = query.where(table.c.id.in_(ids))
    sent = 0
    client: smtplib.SMTP | None = None
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
        conn.commit()
        try:
            for row in rows:
                claimed = conn.execute(
                    update(table).where(table.c.id == row.id, table.c.mail_state == MailState.PENDING)
                    .values(mail_state=MailState.SENDING, mail_attempts=table.c.mail_attempts + 1))
                conn.commit()
                if claimed.rowcount != 1:
                    continue
                try:
                    if client is None:
                        client = _smtp()
                    client.send_message(_message(row))
                except (smtplib.SMTPException, OSError) as error:
                    log.warning("mail for notification %s failed: %s", row.id, error)
                    state = MailState.FAILED if row.mail_attempts + 1 >= MAX_MAIL_ATTEMPTS else MailState.PENDING
                    conn.execute(update(table).where(table.c.id == row.id).values(mail_state=state))
                    conn.commit()
                    if client is not None:
                        try:
                            client.close()
                        finally:
                            client = None
                    continue
                conn.execute(update(table).where(table.c.id == row.id)
                             .values(mail_state=MailState.SENT, emailed_at=utcnow()))
                conn.commit()
                sent += 1
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()
    return sent


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        try:
            send_pending(ids)
        except Exception:  # mail must never break the committed action; `notify due` retries
            log.exception("sending notification mail failed")


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def install_mail_hooks() -> None:
    """Mail notifications once the transaction that made them commits (idempotent)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


# --- reminders (`flask notify due`) ----------------------------------------------------------

@dataclass
class DueResult:
    created: int = 0
    skipped: int = 0
    mailed: int = 0


def _deadlines_by_case(cases: list, today: date) -> dict[int, list]:
    """Each case's deadlines computed for `today` (PROCEDURE's engine; empty while it is missing)."""
    from tracker.modules import module_exists

    if not module_exists("tracker.procedure.services"):
        return {}
    from tracker.procedure import services as procedure

    facts_for_cases = getattr(procedure, "facts_for_cases", None)
    if facts_for_cases is not None and module_exists("tracker.procedure.deadlines"):
        from tracker.procedure import deadlines as engine

        facts = facts_for_cases(cases)
        return {case.id: engine.compute(facts[case.id], today) for case in cases}
    deadlines_for = getattr(procedure, "deadlines_for", None)
    return {case.id: deadlines_for(case) for case in cases} if deadlines_for else {}


def _recipients(cases: list) -> dict[int, list[User]]:
    """Responsible HR officer and current steering members per case (one query for members)."""
    from tracker.steering.models import SteeringMember

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


def due_reminders(today: date | None = None) -> list[tuple[User, str, str, int, str, str]]:
    """(user, kind, text, case_id, url, dedup_key) for every reminder due on `today`."""
    from tracker.cases.models import Case, CaseStatus

    today = today or local_date(utcnow())
    cases = list(db.session.execute(
        select(Case).where(Case.status != CaseStatus.ARCHIVED).order_by(Case.id)).scalars().unique())
    deadlines = _deadlines_by_case(cases, today)
    recipients = _recipients(cases)
    out = []
    for case in cases:
        for d in deadlines.get(case.id, []):
            due = getattr(d, "due", None)
            if due is None or getattr(d, "overridden", False):
                continue
            code = getattr(d, "code", "")
            if getattr(d, "overdue", False) and code.startswith("evaluation"):
                kind = NotificationKind.EVALUATION_OVERDUE
                text = _("Utvärderingen i %(case)s (%(title)s) skulle ha varit klar %(due)s och är försenad.",
                         case=case.diary_number, title=case.title, due=due.isoformat())
                prefix = "overdue"
            elif getattr(d, "met", None) is None and 0 <= (due - today).days <= REMINDER_DAYS:
                kind = NotificationKind.DEADLINE_SOON
                days = (due - today).days
                when = _("i dag") if days == 0 else _("om %(n)d dagar", n=days) if days > 1 else _("i morgon")
                text = _("%(label)s i %(case)s (%(title)s): %(due)s, %(when)s.", label=d.label,
                         case=case.diary_number, title=case.title, due=due.isoformat(), when=when)
                prefix = "deadline"
            else:
                continue
            for user in recipients.get(case.id, []):
                key = f"{prefix}:{user.id}:{case.id}:{code}:{due.isoformat()}"
                out.append((user, kind, text, case.id, case_path(case.id), key))
    return out


def notify_due(today: date | None = None) -> DueResult:
    """Create the day's reminders, each committed on its own; a duplicate key is skipped, so the
    command is safe to run twice or concurrently. Then mail whatever is pending."""
    result = DueResult()
    for user, kind, text, case_id, url, key in due_reminders(today):
        try:
            made = notify(user, kind, text, case_id=case_id, url=url, dedup_key=key)
            db.session.info.pop(_PENDING_KEY, None)  # mailed together below, on one connection
            db.session.commit()
        except IntegrityError:  # another run inserted the same key meanwhile
            db.session.rollback()
            made = None
        if made is None:
            result.skipped += 1
        else:
            result.created += 1
    db.session.commit()
    result.mailed = send_pending()
    return result
