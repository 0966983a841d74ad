"""`flask documents ...`: store consistency check, key rotation, key generation."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.documents import crypto, services
from tracker.unit_of_work import unit_of_work


@click.group("documents", help="Document store maintenance.")
def documents_cli() -> None:
    pass


@documents_cli.command("fsck")
@click.option("--remove", is_flag=True,
              help="Delete orphan blobs and temporary files of crashed uploads; tombstone versions whose blob "
                   "is missing.")
@click.option("--force", is_flag=True,
              help="With --remove: delete every temporary file, also those of uploads in progress.")
@click.option("--grace-seconds", type=float, default=3600.0, show_default=True,
              help="Ignore blobs written more recently than this (uploads in progress).")
@click.option("--in-flight-seconds", type=float, default=60.0, show_default=True,
              help="Where a file system cannot tell whether a temporary file is locked by its upload, "
                   "take it for a crashed upload's only when older than this.")
@with_appcontext
def fsck_command(remove: bool, force: bool, grace_seconds: float, in_flight_seconds: float) -> None:
    """Report (and with --remove repair) differences between the store and the database."""
    try:
        with unit_of_work():  # a report without --remove changed nothing, so its commit is empty
            report = services.fsck(remove=remove, grace_seconds=grace_seconds,
                                   in_flight_seconds=in_flight_seconds, force=force)
    except OSError as error:
        raise click.ClickException(f"the document store failed, the database is unchanged: {error}") from error
    for key in report.orphan_blobs:
        click.echo(f"orphan blob (no version row): {key}" + (" - removed" if report.removed else ""))
    for version_id, key in report.missing_blobs:
        click.echo(f"missing blob for version {version_id}: {key}" + (" - tombstoned" if report.removed else ""))
    removed = {t.path for t in report.temporary_removed}
    for temporary in report.temporary:
        state = "crashed upload" if temporary.abandoned else "upload in progress"
        click.echo(f"temporary file ({state}, {_age(temporary.age_seconds)} old): {temporary.path}"
                   + (" - removed" if temporary.path in removed else ""))
    if report.clean:
        click.echo("documents fsck: store and database agree")
    else:
        click.echo(f"documents fsck: {len(report.orphan_blobs)} orphan blob(s), "
                   f"{len(report.missing_blobs)} missing blob(s), "
                   f"{len(report.stale_temporary)} temporary file(s) of crashed uploads")
        if not remove:
            raise SystemExit(1)


def _age(seconds: float) -> str:
    """An age as the operator reads it: 42 s, 5 min 3 s, 2 h 10 min, 3 d 4 h."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@documents_cli.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Re-wrap every data key under the newest key in DOCUMENT_KEYS (the last one)."""
    try:
        with unit_of_work():
            counts = services.rotate_keys()
    except crypto.DocumentCryptoError as error:
        raise click.ClickException(f"rotation stopped, nothing changed: {error}") from error
    click.echo(f"rotated to key {crypto.keyring().current_id}: {counts['rewrapped']} re-wrapped, "
               f"{counts['already_current']} already current, {counts['erased_skipped']} erased (skipped)")


@documents_cli.command("new-key")
@click.argument("key_id")
def new_key_command(key_id: str) -> None:
    """Print a new "id:base64key" entry to append to DOCUMENT_KEYS."""
    click.echo(crypto.new_key_spec(key_id))


commands = [documents_cli]
