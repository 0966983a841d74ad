"""Demo step (the last one): seal the demo chain with a signed checkpoint, have the local witness
cosign it, and verify it once, so a fresh demo database verifies cleanly and the badge has
something to show."""
from __future__ import annotations

from tracker.audit.checkpoints import write_checkpoint
from tracker.audit.local_witness import feed_local_witness, forget_log_at_local_witness, setup_local_witness
from tracker.audit.verify import store_result, verify_chain
from tracker.demo.context import DemoContext


def load(context: DemoContext) -> None:
    checkpoint = write_checkpoint(None, reason="demo")
    # The local witness (instance/witness, served by `make run`) cosigns the demo's checkpoint
    # directly, as a witness fed from a file would: the demo works without the witness running.
    if setup_local_witness() is not None:
        forget_log_at_local_witness()
        note = getattr(checkpoint, "note", None)
        if note:
            feed_local_witness(note, checkpoint.id)
    store_result(verify_chain(), source="demo")
