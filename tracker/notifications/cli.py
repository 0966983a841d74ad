"""`flask notify due`: deadline reminders for cron or a systemd timer; `flask notify send`: retry mail;
`flask notifications digest`: the daily digest."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from tracker.notifications import digest, mail, services
from tracker.unit_of_work import unit_of_work

notify = AppGroup("notify", help="Notifications and e-mail reminders.")


@notify.command("due", help="Remind of deadlines within 3 days and overdue evaluations. Safe to run twice.")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="Compute as if it were this day (default: today in the organisation's time zone).")
def due_command(today: str | None) -> None:
    """Add the day's reminders in one unit of work, then mail everything pending (retries too)."""
    day = None
    if today:
        try:
            day = date.fromisoformat(today)
        except ValueError as error:
            raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--today") from error
    with unit_of_work():
        result = services.notify_due(day)
    result.mailed = mail.send_pending()
    off = "" if mail.mail_enabled() else " (e-mail off: SMTP_HOST is not set)"
    click.echo(f"notify due: {result.created} new, {result.skipped} already sent, {result.mailed} mailed{off}")


@notify.command("send", help="Send e-mail for notifications whose mail is still pending.")
def send_command() -> None:
    """Mail every pending notification."""
    if not mail.mail_enabled():
        raise click.ClickException("e-mail is off: set SMTP_HOST")
    click.echo(f"notify send: {mail.send_pending()} mailed")


notifications = AppGroup("notifications", help="Notification mail: the daily digest.")


@notifications.command("digest", help="Mail each user who chose the daily digest what waited for it. Run once a day.")
def digest_command() -> None:
    """Prepare the digests in one unit of work (finished tasks are marked done), then mail them."""
    if not mail.mail_enabled():
        raise click.ClickException("e-mail is off: set SMTP_HOST")
    with unit_of_work():
        prepared = digest.prepare()
    click.echo(f"notifications digest: {digest.send(prepared)} of {len(prepared)} mailed")


commands = [notify, notifications]
