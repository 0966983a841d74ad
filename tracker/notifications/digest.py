"""The daily digest: one mail a day instead of one per notification, for those who chose it.

`flask notifications digest` (cron, once a day) gathers, per user who takes the digest, the
notifications that waited for it (mail state `digest`) and their current to-do list, writes one
mail in the user's language, and sends it through the same SMTP path as single notifications
(`mail.Sender`). Each notification is claimed before sending, so two runs never mail it twice; a
failed mail leaves them waiting for the next run.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import cast

from flask_babel import force_locale
from sqlalchemy import Table, select, update

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.home.labels import due_text, task_text
from tracker.home.queries import Todo, todo_for
from tracker.i18n import gettext as _
from tracker.notifications.labels import message, recipient_locale
from tracker.notifications.mail import MAIL_TABLE, Sender, absolute, envelope, footer, mail_enabled
from tracker.notifications.models import MailState, Notification, NotificationPreference
from tracker.notifications.services import resolve_done
from tracker.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class Digest:
    """One user's digest, ready to send."""

    user_id: int
    ids: list[int]
    mail: EmailMessage


def _lines(todo: Todo, notifications: Sequence[Notification], cases: dict[int, Case]) -> list[str]:
    lines = [_("Att göra (%(n)d)", n=len(todo))]
    for task in todo.tasks:
        when = due_text(task)
        lines.append(f"- {task_text(task)} {task.diary_number} {task.case_title}" + (f" ({when})" if when else ""))
        lines.append(f"  {absolute(task.url)}")
    if not todo.tasks:
        lines.append(_("Inget väntar på dig just nu."))
    lines += ["", _("Nya aviseringar (%(n)d)", n=len(notifications))]
    current: int | None = -1
    for n in notifications:
        if n.case_id != current:
            current = n.case_id
            case = cases.get(n.case_id) if n.case_id is not None else None
            lines += ["", f"{case.diary_number} {case.title}" if case is not None else _("Övrigt")]
        done = " " + _("(klart)") if n.is_done else ""
        lines.append(f"- {message(n.kind, n.params)}{done}")
        if n.url:
            lines.append(f"  {absolute(n.url)}")
    return lines


def _digest_for(user: User, notifications: list[Notification], cases: dict[int, Case]) -> Digest:
    todo = todo_for(user)
    if resolve_done(user, todo.keys):
        for n in notifications:
            db.session.refresh(n)
    with force_locale(recipient_locale(user)):
        body = "\n".join(_lines(todo, notifications, cases)) + footer()
        mail = envelope(user.email, "Samverkan: " + _("Dagens sammanfattning"), body)
    return Digest(user.id, [n.id for n in notifications], mail)


def prepare() -> list[Digest]:
    """Every digest due now (inside the caller's unit of work: it marks finished tasks done)."""
    users = list(db.session.execute(
        select(User).join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.daily_digest.is_(True), User.active.is_(True)).order_by(User.id)
    ).scalars().unique())
    if not users:
        return []
    waiting: dict[int, list[Notification]] = {u.id: [] for u in users}
    for n in db.session.execute(
            select(Notification).where(Notification.user_id.in_(list(waiting)),
                                       Notification.mail_state == MailState.DIGEST)
            .order_by(Notification.case_id, Notification.created_at, Notification.id)).scalars():
        waiting[n.user_id].append(n)
    case_ids = {n.case_id for rows in waiting.values() for n in rows if n.case_id is not None}
    cases = {c.id: c for c in db.session.execute(select(Case).where(Case.id.in_(case_ids))).scalars()} \
        if case_ids else {}
    return [_digest_for(user, waiting[user.id], cases) for user in users if waiting[user.id]]


def send(digests: Sequence[Digest]) -> int:
    """Mail the digests (after the caller's commit); how many were sent."""
    if not mail_enabled() or not digests:
        return 0
    table, prefs = MAIL_TABLE, cast(Table, NotificationPreference.__table__)
    sender = Sender()
    sent = 0
    with db.engine.connect() as conn:
        try:
            for digest in digests:
                claimed = conn.execute(update(table).where(table.c.id.in_(digest.ids),
                                                           table.c.mail_state == MailState.DIGEST)
                                       .values(mail_state=MailState.SENDING))
                conn.commit()
                if claimed.rowcount == 0:  # another run has them
                    continue
                try:
                    sender.send(digest.mail)
                except (smtplib.SMTPException, OSError) as error:
                    log.warning("digest for user %s failed: %s", digest.user_id, error)
                    conn.execute(update(table).where(table.c.id.in_(digest.ids)).values(mail_state=MailState.DIGEST))
                    conn.commit()
                    sender.drop()
                    continue
                now = utcnow()
                conn.execute(update(table).where(table.c.id.in_(digest.ids))
                             .values(mail_state=MailState.SENT, emailed_at=now))
                conn.execute(update(prefs).where(prefs.c.user_id == digest.user_id).values(last_digest_at=now))
                conn.commit()
                sent += 1
        finally:
            sender.quit()
    return sent
