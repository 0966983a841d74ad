"""The local witness of `make run` and the demo: a witness program state directory under the
instance folder (outside the database), trusting this installation's log key. `make run` serves it
as its own process; the demo feeds it directly, like a witness fed from a file."""
from __future__ import annotations

from flask import current_app

from tracker.audit.checkpoints import load_private_key, public_key_pem
from tracker.audit.models import AuditCosignature
from tracker.audit.witness_client import consistency_proof, store_cosignature
from tracker.audit.witness_config import LOCAL_WITNESS_NAME, WitnessConfig, local_witness_dir, log_origin
from tracker.witness_program.notes import parse_checkpoint, split_note
from tracker.witness_program.state import Witness, format_submission


def setup_local_witness() -> Witness | None:
    """Create the local witness (once) and make it trust this log's current key; None if not configured."""
    directory = local_witness_dir(current_app.config)
    if directory is None:
        return None
    witness = Witness(directory) if (directory / "witness.key").exists() else Witness.init(directory,
                                                                                           LOCAL_WITNESS_NAME)
    origin = log_origin(current_app.config)
    pem = public_key_pem(load_private_key().public_key())
    known = witness.logs().get(origin)
    if known is None or known.key().public_bytes_raw() != load_private_key().public_key().public_bytes_raw():
        witness.add_log(origin, pem)
    return witness


def forget_log_at_local_witness() -> None:
    """Drop the local witness's record of this log (the demo, loading into an empty database, starts
    a new log; a real witness would rightly refuse it as a rewrite)."""
    directory = local_witness_dir(current_app.config)
    if directory is None:
        return
    import shutil

    shutil.rmtree(Witness(directory).log_dir(log_origin(current_app.config)), ignore_errors=True)


def feed_local_witness(note: str, checkpoint_id: int | None = None) -> AuditCosignature | None:
    """Give a checkpoint note to the local witness in this process (no network) and keep its cosignature."""
    witness = setup_local_witness()
    if witness is None:
        return None
    text, _signatures = split_note(note)
    latest = witness.latest(log_origin(current_app.config))
    old = latest.size if latest else 0
    size = parse_checkpoint(text).size
    line = witness.add_checkpoint(format_submission(old, consistency_proof(old, size) if old else [], note))
    config = WitnessConfig(witness.name, "", witness.verifier())
    return store_cosignature(config, checkpoint_id, text, line)
