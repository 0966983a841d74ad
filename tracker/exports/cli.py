"""`flask export case DIARY --format pdf|json|csv|bundle --output PATH --as EMAIL`: the same export
functions as the web page, acting as (and audited as) the named user."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.auth import services as auth_services
from tracker.cases.services import get_case_by_diary_number
from tracker.errors import DomainError, NotFound
from tracker.exports import services
from tracker.i18n import SUPPORTED
from tracker.unit_of_work import unit_of_work


@click.group("export", help="Export procedure records.")
def export_cli() -> None:
    pass


def _target(output: str | None, filename: str) -> Path:
    target = Path(output) if output else Path.cwd() / filename
    return target / filename if target.is_dir() else target


@export_cli.command("case")
@click.argument("diary_number")
@click.option("--format", "fmt", type=click.Choice(services.FORMATS), default="pdf", show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=True, writable=True),
              help="File to write (a directory: the default file name in it). Default: current directory.")
@click.option("--as", "email", required=True, help="The acting user's e-mail (an auditor or the case's HR officer).")
@click.option("--language", "language", type=click.Choice(SUPPORTED), default=None,
              help="The record's language. Default: the case's language.")
@with_appcontext
def export_case(diary_number: str, fmt: str, output: str | None, email: str, language: str | None) -> None:
    """Export one case's procedure record."""
    user = auth_services.find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email}")
    written: Path | None = None
    try:
        # The export event and the file go together: the file is removed if the event is not committed.
        with unit_of_work():
            case = get_case_by_diary_number(user, diary_number.strip().upper())
            result = services.export(case, user, fmt, language=language)
            target = _target(output, result.filename)
            try:
                target.write_bytes(result.data)
            except OSError as error:
                raise click.ClickException(f"cannot write {target}: {error.strerror}") from error
            written = target
    except NotFound as error:
        raise click.ClickException(f"no case {diary_number} visible to {email}") from error
    except DomainError as error:
        raise click.ClickException(error.message or type(error).__name__) from error
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    click.echo(f"wrote {written} ({len(result.data)} bytes, sha256 {result.sha256})")


commands = [export_cli]
