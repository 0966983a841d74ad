"""Helpers for the witness tests: a real witness process, and C2SP checkpoint notes of the app's log."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from tracker.audit.checkpoints import load_private_key
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.witness_program import merkle
from tracker.witness_program.notes import sign_note
from tracker.witness_program.state import Witness

ROOT = Path(__file__).resolve().parents[2]


def leaves() -> list[bytes]:
    """The leaf hashes of the log as stored."""
    hashes = db.session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq)).scalars()
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in hashes]


def make_note(origin: str, size: int | None = None) -> str:
    """A checkpoint note of the log at `size` (default: every event), signed with the app's key."""
    all_leaves = leaves()
    size = len(all_leaves) if size is None else size
    root = merkle.root_of(all_leaves[:size])
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    return sign_note(text, origin, load_private_key())


def run_witness(directory: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The witness program as the personnel side runs it: its own process."""
    return subprocess.run([sys.executable, "-m", "tracker.witness_program", "--dir", str(directory), *args],
                          cwd=ROOT, input=stdin, capture_output=True, timeout=60)


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """`witness serve` on a free port, in its own process; yields the base URL."""
    port_file = directory.parent / f"{directory.name}.port"
    port_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.witness_program", "--dir", str(directory), "serve", "--port", "0",
         "--port-file", str(port_file)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the witness did not start: " + (process.stderr.read().decode()
                                                                     if process.stderr else ""))
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text().strip()}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def new_witness(directory: Path, origin: str, name: str = "witness.example/union") -> Witness:
    """A witness trusting the app's log key (as the union would set it up)."""
    from tracker.audit.checkpoints import public_key_pem

    witness = Witness.init(directory, name)
    witness.add_log(origin, public_key_pem(load_private_key().public_key()))
    return witness
