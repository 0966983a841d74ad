"""`flask audit ...`: signing keys, checkpoints and verification of the audit trail."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.audit import checkpoints as cps
from tracker.audit import tree
from tracker.audit.labels import kind_description
from tracker.audit.verify import VerificationResult, load_checkpoint_file, store_result, verify_chain
from tracker.cases.models import Case
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.unit_of_work import rollback, unit_of_work


@click.group("audit", help="The tamper-evident audit trail: keys, checkpoints, verification.")
def audit_cli() -> None:
    pass


@audit_cli.command("keygen")
@click.option("--path", "path", default=None, help="Private key file (default: AUDIT_SIGNING_KEY_PATH).")
@click.option("--force", is_flag=True, help="Replace an existing key (old checkpoints then need the old .pub).")
@with_appcontext
def keygen(path: str | None, force: bool) -> None:
    """Write a new Ed25519 key pair: PEM private key (mode 0600) and PATH.pub."""
    target = Path(path or current_app.config.get("AUDIT_SIGNING_KEY_PATH") or "")
    if not str(target) or str(target) == ".":
        raise click.ClickException("give --path or set AUDIT_SIGNING_KEY_PATH")
    try:
        key = cps.generate_keypair(target, overwrite=force)
    except FileExistsError as error:
        raise click.ClickException(f"{error} (use --force to replace it)") from error
    click.echo(f"private key: {target} (mode 0600)")
    click.echo(f"public key:  {cps.public_path_for(target)}")
    click.echo(f"key id:      {cps.key_id_of(key.public_key())}")


@audit_cli.command("checkpoint")
@click.option("--if-due", is_flag=True,
              help="Only if an event is uncovered for AUDIT_CHECKPOINT_INTERVAL_SECONDS (for a scheduler).")
@with_appcontext
def checkpoint(if_due: bool) -> None:
    """Sign the current tree of the log as a checkpoint note and store it."""
    try:
        with unit_of_work():
            row = cps.checkpoint_if_due() if if_due else cps.write_checkpoint(None, reason="manual")
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if row is None:
        click.echo("no checkpoint due")
        return
    click.echo(f"checkpoint: seq {row.seq} head {row.head_hash} key {row.key_id}")
    click.echo(row.note, nl=False)


@audit_cli.command("checkpointer")
@click.option("--poll", "poll", type=float, default=None,
              help="Seconds between looks (default: a quarter of AUDIT_CHECKPOINT_INTERVAL_SECONDS, at most 15).")
@click.option("--once", is_flag=True, help="Look once and exit (what a cron job would run).")
@with_appcontext
def checkpointer(poll: float | None, once: bool) -> None:
    """Run until stopped: sign the head whenever an event is not yet covered by a checkpoint.

    Looking every quarter interval and signing any uncovered head keeps every event covered
    within AUDIT_CHECKPOINT_INTERVAL_SECONDS even when no further event arrives.
    """
    interval = cps.checkpoint_interval().total_seconds()
    pause = poll if poll is not None else max(0.5, min(15.0, interval / 4))
    while True:
        try:
            with unit_of_work():
                row = cps.checkpoint_if_due(force=True)
            if row is not None:
                click.echo(f"checkpoint: size {row.seq}")
        except DomainError as error:
            click.echo(f"checkpoint failed: {error.message}", err=True)
            if once:
                sys.exit(1)
        if once:
            return
        time.sleep(pause)


@audit_cli.command("tree-backfill")
@with_appcontext
def tree_backfill() -> None:
    """Add the Merkle tree leaves of events that have none (events loaded outside the app)."""
    with unit_of_work():
        cps.lock_chain()
        size = tree.backfill(db.session)
    click.echo(f"tree size: {size}")


@audit_cli.command("export-checkpoints")
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), default=None)
@with_appcontext
def export_checkpoints(output: str | None) -> None:
    """Print (or write) the public key(s) and every checkpoint as JSON, for offline verification."""
    text = json.dumps(cps.export_bundle(), indent=2, ensure_ascii=False)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"written to {output}")
    else:
        click.echo(text)


@audit_cli.command("verify")
@click.option("--case", "diary", default=None, help="Report this case's events (diary number, e.g. SAM-2025-0001).")
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Verify checkpoints with this public key (repeatable; default: the configured key).")
@click.option("--checkpoint", "--checkpoints", "checkpoint_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="Also check against the checkpoints in FILE, kept outside the database: a signed or cosigned "
                   "checkpoint note (e.g. a witness state file), an export-checkpoints JSON or a record bundle zip. "
                   "Repeatable; AUDIT_WITNESS_STATE_FILES are read as well.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-store", is_flag=True, help="Do not record this run for the web badge.")
@with_appcontext
def verify(diary: str | None, public_keys: tuple[str, ...], checkpoint_files: tuple[str, ...], as_json: bool,
           no_store: bool) -> None:
    """Recompute every hash and check every link and checkpoint; exit 1 on any tampering."""
    case_id = None
    if diary:
        case_id = db.session.execute(select(Case.id).where(Case.diary_number == diary)).scalar_one_or_none()
        if case_id is None:
            raise click.ClickException(f"no case with diary number {diary}")
    keys: dict[str, Any] | None = None
    if public_keys:
        keys = {}
        for path in public_keys:
            key = cps.load_public_key_file(path)
            keys[cps.key_id_of(key)] = key
    extra: list[Any] = []
    for path in checkpoint_files:
        try:
            extra += load_checkpoint_file(path)
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise click.ClickException(f"{path} holds no checkpoint this command can read: {error}") from error
    try:
        result = verify_chain(public_keys=keys, case_id=case_id, extra_checkpoints=extra)
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as error:  # an unreadable witness state file
        raise click.ClickException(f"a configured witness state file cannot be read: {error}") from error
    rollback()  # end the read transaction before recording the run
    if not no_store:
        with unit_of_work():
            store_result(result, source="cli")
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        _print_result(result, diary)
    if not result.ok:
        sys.exit(1)


def _print_result(result: VerificationResult, diary: str | None) -> None:
    click.echo(f"events checked: {result.events_checked}")
    click.echo(f"head: seq {result.head_seq} hash {result.head_hash}")
    cp = result.last_checkpoint
    if cp:
        click.echo(f"last checkpoint: seq {cp['seq']} root {cp.get('root') or '-'} signed {cp['signed_at']} "
                   f"key {cp['key_id']} ({result.checkpoints_checked} checkpoints checked)")
    else:
        click.echo("last checkpoint: none")
    if diary:
        span = (f"seq {result.case_first_seq}..{result.case_last_seq}" if result.case_first_seq is not None
                else "no events" if not result.case_events else f"up to seq {result.case_last_seq}")
        state = "AFFECTED by the problem below" if result.case_affected else (
            "intact" if result.ok else "before the problem below")
        click.echo(f"case {diary}: {result.case_events} events ({span}), {state}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if result.ok:
        click.echo(f"OK: chain intact ({result.duration_seconds:.2f} s)")
    else:
        suspect = result.suspect_range
        where = f" (suspect range seq {suspect[0]}..{suspect[1]})" if suspect else ""
        click.echo(f"TAMPERED: first bad seq {result.first_bad_seq}, kind {result.kind} "
                   f"({kind_description(result.kind)}){where}: {result.message}")


commands = [audit_cli]
