"""E-mail for notifications: queued during the unit of work, sent over SMTP after its commit.

A notification made inside a transaction is mailed only once that transaction commits (a
rolled-back action mails nobody): `queue_mail` registers one after-commit batch per transaction
with `tracker.unit_of_work.after_commit`. A mail that cannot be delivered stays pending and is
retried by `flask notify due` / `flask notify send`, at most MAX_MAIL_ATTEMPTS times; a failure
never undoes the committed action.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any, cast

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from tracker.auth.models import User
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import html_lang
from tracker.notifications.labels import message, recipient_locale, subject
from tracker.notifications.models import MailState, Notification
from tracker.timeutil import utcnow
from tracker.unit_of_work import after_commit

log = logging.getLogger(__name__)

MAX_MAIL_ATTEMPTS = 5
_BATCH_KEY = "notifications.mail_batch"
# Senders work on the tables directly, on a connection of their own.
MAIL_TABLE = cast(Table, Notification.__table__)
_USERS = cast(Table, User.__table__)


def mail_enabled() -> bool:
    """True when SMTP_HOST is configured."""
    return bool(current_app.config.get("SMTP_HOST"))


class _Batch:
    """The notifications of one transaction to mail once it has committed."""

    def __init__(self, transaction: object) -> None:
        self.transaction = transaction
        self.ids: list[int] = []

    def __call__(self) -> None:
        send_pending(self.ids)


def queue_mail(notification_id: int) -> None:
    """Mail this notification after the current transaction commits (never if it rolls back)."""
    session = db.session()
    transaction = session.get_transaction()
    batch = session.info.get(_BATCH_KEY)
    # A batch belongs to one transaction: after a commit or a rollback the next one starts afresh.
    if not isinstance(batch, _Batch) or batch.transaction is not transaction:
        batch = _Batch(transaction)
        session.info[_BATCH_KEY] = batch
        after_commit(batch)
    batch.ids.append(notification_id)


def absolute(url: str) -> str:
    """An app path as the recipient's mail client needs it (PUBLIC_BASE_URL + path)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return base + url if base and url else url


def footer() -> str:
    """The last lines of every mail (in the current language)."""
    return "\n\n-- \n" + _("Meddelandet skickades av Samverkan. Alla aviseringar finns under Aviseringar i "
                             "tjänsten.")


def envelope(to: str, subject_line: str, body: str) -> EmailMessage:
    """A mail from the configured sender."""
    mail = EmailMessage()
    mail["From"] = current_app.config.get("MAIL_FROM") or "samverkan@localhost"
    mail["To"] = to
    mail["Subject"] = subject_line
    mail.set_content(body)
    return mail


def _message(row: Any) -> EmailMessage:
    """The notification's mail, written in the recipient's language (their own, else the default)."""
    locale = recipient_locale(row)  # the row carries the recipient's `locale`
    with force_locale(locale):
        body = message(row.kind, row.params)
        if row.url:
            body += "\n\n" + absolute(row.url)
        mail = envelope(row.email, subject(row.kind), body + footer())
    mail["Content-Language"] = html_lang(locale)  # after set_content, which replaces Content-* headers
    return mail


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    client = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25), timeout=15)
    if config.get("SMTP_STARTTLS"):
        # The default context verifies the server's certificate and host name (plain starttls() does not).
        client.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USER"):
        client.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    return client


class Sender:
    """One SMTP connection for a run of mails, reopened after a failure."""

    def __init__(self) -> None:
        self.client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.client is None:
            self.client = _smtp()
        self.client.send_message(message)

    def drop(self) -> None:
        if self.client is not None:
            try:
                self.client.close()
            finally:
                self.client = None

    def quit(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()


def _deliver(conn: Connection, sender: Sender, row: Any) -> bool:
    """Claim the row (pending -> sending), mail it, record the outcome; True when it was sent."""
    table = MAIL_TABLE
    claimed = conn.execute(
        update(table).where(table.c.id == row.id, table.c.mail_state == MailState.PENDING)
        .values(mail_state=MailState.SENDING, mail_attempts=table.c.mail_attempts + 1))
    conn.commit()
    if claimed.rowcount != 1:  # another sender has it
        return False
    try:
        sender.send(_message(row))
    except (smtplib.SMTPException, OSError) as error:
        log.warning("mail for notification %s failed: %s", row.id, error)
        state = MailState.FAILED if row.mail_attempts + 1 >= MAX_MAIL_ATTEMPTS else MailState.PENDING
        conn.execute(update(table).where(table.c.id == row.id).values(mail_state=state))
        conn.commit()
        sender.drop()
        return False
    conn.execute(update(table).where(table.c.id == row.id).values(mail_state=MailState.SENT, emailed_at=utcnow()))
    conn.commit()
    return True


def send_pending(ids: Iterable[int] | None = None, *, limit: int = 500) -> int:
    """Mail pending notifications (all, or only `ids`); returns how many were sent.

    Each row is claimed in its own statement before sending, so two senders never mail the same
    notification. Runs on its own connection, outside the caller's session (after its commit)."""
    if not mail_enabled():
        return 0
    table, users = MAIL_TABLE, _USERS
    query = (select(table.c.id, table.c.kind, table.c.params, table.c.url, table.c.mail_attempts, users.c.email,
                    users.c.locale)
             .join(users, users.c.id == table.c.user_id)
             .where(table.c.mail_state == MailState.PENDING).order_by(table.c.id).limit(limit))
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        query = query.where(table.c.id.in_(wanted))
    sender = Sender()
    sent = 0
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
        conn.commit()
        try:
            for row in rows:
                sent += _deliver(conn, sender, row)
        finally:
            sender.quit()
    return sent
