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
              help="Delete orphan blobs and stale temporary files; tombstone versions whose blob is missing.")
@click.option("--grace-seconds", type=float, default=3600.0, show_default=True,
              help="Ignore blobs written more recently than this (uploads in progress).")
@with_appcontext
def fsck_command(remove: bool, grace_seconds: float) -> None:
    """Report (and with --remove repair) differences between the store and the database."""
    with unit_of_work():  # a report without --remove changed nothing, so its commit is empty
        report = services.fsck(remove=remove, grace_seconds=grace_seconds)
    for key in report.orphan_blobs:
        click.echo(f"orphan blob (no version row): {key}" + (" - removed" if report.removed else ""))
    for version_id, key in report.missing_blobs:
        click.echo(f"missing blob for version {version_id}: {key}" + (" - tombstoned" if report.removed else ""))
    for path in report.stale_temporary:
        click.echo(f"stale temporary file: {path}" + (" - removed" if report.removed else ""))
    if report.clean:
        click.echo("documents fsck: store and database agree")
    else:
        click.echo(f"documents fsck: {len(report.orphan_blobs)} orphan blob(s), "
                   f"{len(report.missing_blobs)} missing blob(s), "
                   f"{len(report.stale_temporary)} stale temporary file(s)")
        if not remove:
            raise SystemExit(1)


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
