"""`verify --bundle`: a case's procedure-record bundle (zip or directory) against this witness.

Each of the case's events is recomputed from record.json (its chain hash), its leaf is checked
by its inclusion proof (inclusion-proofs.json) against the bundle's checkpoint note, the note must
be signed by the log key this witness trusts, and its root must be the one this witness cosigned
at that size. No other event of the log is needed.
"""
from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from .events import hash_time
from .merkle import leaf_hash, verify_inclusion
from .notes import NoteError, note_signed_by, parse_checkpoint, split_note
from .state import Witness
from .verify import Outcome

_FIELDS = ("seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action", "target_type", "target_id",
           "case_id", "client_address", "payload")


def read_bundle(location: str) -> dict[str, bytes]:
    """name -> bytes of the bundle's files (a zip or a directory)."""
    path = Path(location)
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def _event_hash(event: dict[str, Any]) -> str:
    body = {key: event.get(key) for key in _FIELDS}
    body["occurred_at"] = hash_time(body["occurred_at"])
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(str(event.get("prev_hash", "")).encode("ascii") + canonical.encode("utf-8")).hexdigest()


def _checkpoint(witness: Witness, origin: str, note: str, outcome: Outcome) -> tuple[int, bytes] | None:
    try:
        text, signatures = split_note(note)
        checkpoint = parse_checkpoint(text)
    except NoteError as exc:
        outcome.fail(1, f"the bundle's checkpoint is malformed ({exc})")
        return None
    verifier = witness.logs().get(checkpoint.origin)
    if checkpoint.origin != origin or verifier is None or not note_signed_by(text, signatures, verifier):
        outcome.fail(1, f"the bundle's checkpoint is not signed by the key this witness trusts for {origin}")
        return None
    return checkpoint.size, checkpoint.root


def _compare_with_state(witness: Witness, origin: str, size: int, root: bytes, outcome: Outcome) -> None:
    cosigned = {s: r for s, r, _when in witness.history(origin)}
    if size in cosigned and cosigned[size] != root:
        outcome.fail(1, f"the bundle's checkpoint at size {size} has another root than this witness cosigned "
                        "(the log was rewritten or forked)")
    elif size not in cosigned:
        outcome.notes.append(f"this witness did not cosign size {size}: the bundle's root could not be compared "
                             "with its own state (run `verify` on the database for that)")
        outcome.cosigned_size = 0
    else:
        outcome.cosigned_size = size


def verify_bundle(witness: Witness, origin: str, location: str) -> Outcome:
    """Check a bundle's case events by their hashes and inclusion proofs against this witness's state."""
    outcome = Outcome()
    files = read_bundle(location)
    try:
        record = json.loads(files["record.json"])
        proofs = json.loads(files["inclusion-proofs.json"])
    except (KeyError, ValueError) as exc:
        return outcome.fail(1, f"the bundle lacks a readable record.json or inclusion-proofs.json ({exc})")
    if not proofs.get("checkpoint"):
        return outcome.fail(1, "the bundle carries no checkpoint note for its inclusion proofs")
    found = _checkpoint(witness, origin, proofs["checkpoint"], outcome)
    if found is None:
        return outcome
    size, root = found
    by_seq = {p["seq"]: p for p in proofs.get("proofs", [])}
    events = record.get("audit", {}).get("events", [])
    for event in events:
        seq = event.get("seq")
        if not event.get("payload_redacted") and _event_hash(event) != event.get("hash"):
            return outcome.fail(seq, f"event {seq} does not match its hash (edited)")
        proof = by_seq.get(seq)
        try:
            path = [base64.b64decode(p, validate=True) for p in proof["proof"]] if proof else None
            leaf = leaf_hash(bytes.fromhex(event["hash"]))
        except (ValueError, KeyError, TypeError):
            path = None
        if path is None or not verify_inclusion(leaf, seq - 1, size, path, root):
            return outcome.fail(seq, f"event {seq} is not in the log's tree of size {size} (its inclusion proof "
                                     "fails: the event was changed, added or moved)")
        if event.get("payload_redacted"):
            outcome.notes.append(f"event {seq}: payload hidden from this reader; its hash was proven, not recomputed")
    outcome.events = len(events)
    _compare_with_state(witness, origin, size, root, outcome)
    return outcome
