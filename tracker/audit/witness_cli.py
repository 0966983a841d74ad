"""`flask audit witness-*`: the local witness (setup), resending the newest checkpoint to the
configured witnesses (submit), and the file route for a witness without a network path (file,
cosignature)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.audit.cli import audit_cli
from tracker.audit.local_witness import setup_local_witness
from tracker.audit.witness_client import consistency_proof, last_cosigned_size, store_cosignature, submit_checkpoint
from tracker.audit.witness_config import WitnessConfig, configured_witnesses, log_origin
from tracker.unit_of_work import unit_of_work
from tracker.witness_program.notes import parse_checkpoint, split_note
from tracker.witness_program.state import format_submission


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


def _newest_note() -> tuple[str, int | None]:
    from tracker.audit.checkpoints import latest_checkpoint

    checkpoint = latest_checkpoint()
    note = getattr(checkpoint, "note", None) or ""
    if not note:
        raise click.ClickException("no stored checkpoint carries a signed note yet")
    return note, getattr(checkpoint, "id", None)


def _witness_named(name: str) -> WitnessConfig:
    for witness in configured_witnesses(current_app.config):
        if witness.name == name:
            return witness
    raise click.ClickException(f"no witness named {name!r} in AUDIT_WITNESSES")


@audit_cli.command("witness-file")
@click.option("--witness", "name", required=True, help="The witness's name (from AUDIT_WITNESSES).")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--old", "old", type=int, default=None, help="The witness's size (default: the last it cosigned).")
@with_appcontext
def witness_file(name: str, output: str, old: int | None) -> None:
    """Write the newest checkpoint as an add-checkpoint file, for a witness without a network path."""
    witness = _witness_named(name)
    note, _checkpoint_id = _newest_note()
    size = parse_checkpoint(split_note(note)[0]).size
    old = min(last_cosigned_size(witness.name) if old is None else old, size)
    with open(output, "wb") as handle:
        handle.write(format_submission(old, consistency_proof(old, size) if old else [], note))
    click.echo(f"{output}: checkpoint of {size} events, proof from {old}; the witness runs `add --file {output}`")


@audit_cli.command("witness-cosignature")
@click.option("--witness", "name", required=True, help="The witness's name (from AUDIT_WITNESSES).")
@click.argument("cosignature_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def witness_cosignature(name: str, cosignature_file: str) -> None:
    """Store a cosignature a witness returned by file (`add --out`), after verifying it."""
    witness = _witness_named(name)
    note, checkpoint_id = _newest_note()
    with open(cosignature_file, encoding="utf-8") as handle:
        answer = handle.read()
    with unit_of_work():
        row = store_cosignature(witness, checkpoint_id, split_note(note)[0], answer)
        if row is None:
            raise click.ClickException("the file holds no valid cosignature by that witness on the newest checkpoint")
    click.echo(f"stored: {witness.name} cosigned {row.tree_size} events")
