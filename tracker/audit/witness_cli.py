"""`flask audit witness-setup` and `flask audit witness-submit`: the local witness, and resending
the newest checkpoint to the configured witnesses (after one was unreachable)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.audit.cli import audit_cli
from tracker.audit.local_witness import setup_local_witness
from tracker.audit.witness_client import submit_checkpoint
from tracker.audit.witness_config import configured_witnesses, log_origin
from tracker.unit_of_work import unit_of_work


@audit_cli.command("witness-setup")
@with_appcontext
def witness_setup() -> None:
    """Create the local witness under the instance folder (once) trusting this log's key."""
    witness = setup_local_witness()
    if witness is None:
        raise click.ClickException("AUDIT_LOCAL_WITNESS_DIR is not set (development sets it)")
    click.echo(f"local witness {witness.name} in {witness.dir} witnesses {log_origin(current_app.config)}")
    click.echo(f"  serve it: python -m tracker.witness_program --dir {witness.dir} serve")


@audit_cli.command("witness-submit")
@click.option("--note", "note_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A checkpoint note file (default: the newest stored checkpoint).")
@with_appcontext
def witness_submit(note_file: str | None) -> None:
    """Send the newest checkpoint (or NOTE) to every configured witness; exit 1 if any fails."""
    if not configured_witnesses(current_app.config):
        raise click.ClickException("no witnesses are configured (AUDIT_WITNESSES)")
    checkpoint_id = None
    if note_file:
        with open(note_file, encoding="utf-8") as handle:
            note = handle.read()
    else:
        from tracker.audit.checkpoints import latest_checkpoint

        checkpoint = latest_checkpoint()
        note = getattr(checkpoint, "note", None) or ""
        checkpoint_id = getattr(checkpoint, "id", None)
        if not note:
            raise click.ClickException("no stored checkpoint carries a signed note yet")
    with unit_of_work():
        outcomes = submit_checkpoint(note, checkpoint_id)
    for outcome in outcomes:
        click.echo(f"{outcome.witness}: {'cosigned' if outcome.ok else outcome.problem + ' ' + outcome.detail}")
    if not all(o.ok for o in outcomes):
        raise SystemExit(1)
