"""The checkpoints `audit verify` checks the database against: the stored rows and copies kept elsewhere
(a witness's state file, a note saved by the other party, an export's checkpoints.json or bundle zip).

A checkpoint from outside counts only if the log's own key signed it; any other signature lines
(witness cosignatures) are carried along and ignored here.
"""
from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import select

from tracker.audit import notes
from tracker.audit.checkpoints import signature_valid
from tracker.audit.models import AuditCheckpoint, TamperKind
from tracker.extensions import db

# (seq, order, kind, message, suspect range): the earliest seq wins; at one seq the chain's own
# problem (order 0) comes before a checkpoint's (order 1).
Problem = tuple[int, int, TamperKind, str, tuple[int, int] | None]


def from_note(text: str, source: str = "external") -> SimpleNamespace:
    """A checkpoint from a signed note's text (NoteError when it is not one)."""
    parsed = notes.parse_note(text if text.endswith("\n") else text + "\n")
    return SimpleNamespace(seq=parsed.size, root=parsed.root, head_hash=None, note=parsed.text, key_id="",
                           signature="", signed_at=None, reason=source, parsed=parsed)


def _from_dict(c: dict[str, Any]) -> SimpleNamespace:
    if c.get("note"):
        return from_note(c["note"], c.get("reason", "external"))
    root = c.get("root")
    return SimpleNamespace(seq=int(c["seq"]), head_hash=c["head_hash"], signed_at=c["signed_at"],
                           key_id=c["key_id"], signature=c["signature"], reason=c.get("reason", "external"),
                           root=base64.b64decode(root) if root else None, note="")


def external_checkpoints(bundle: dict[str, Any]) -> list[SimpleNamespace]:
    """Checkpoints from an exported bundle (`export_bundle()` / `audit export-checkpoints`)."""
    return [_from_dict(c) for c in bundle.get("checkpoints", [])]


def _from_json(data: Any) -> list[SimpleNamespace]:
    if isinstance(data, dict) and "checkpoints" in data:
        return external_checkpoints(data)
    if isinstance(data, dict):
        for key in ("checkpoint", "note"):
            if isinstance(data.get(key), str):
                return [from_note(data[key])]
    raise ValueError("JSON without checkpoints")


def load_checkpoint_file(path: str | Path) -> list[SimpleNamespace]:
    """Checkpoints in a file: a signed note (e.g. a witness state file), JSON, or a bundle zip."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return _from_json(json.loads(archive.read("checkpoints.json").decode("utf-8")))
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return _from_json(json.loads(text))
    return [from_note(text, source=f"file {path.name}")]


def witness_state_checkpoints(warnings: list[str]) -> list[SimpleNamespace]:
    """Checkpoints in the files AUDIT_WITNESS_STATE_FILES lists (a missing file is a warning)."""
    found: list[SimpleNamespace] = []
    configured = current_app.config.get("AUDIT_WITNESS_STATE_FILES") or []
    if isinstance(configured, str):
        configured = configured.split(",")
    for name in (n for n in configured if str(n).strip()):
        path = Path(str(name).strip())
        if not path.exists():
            warnings.append(f"witness state file {path} does not exist (yet)")
            continue
        found += load_checkpoint_file(path)
    return found


def gather(extra_checkpoints: Iterable[Any]) -> list[Any]:
    """Stored checkpoints plus the external ones not already stored, by seq."""
    checkpoints: list[Any] = list(db.session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)).scalars())
    known = {(c.seq, c.root or c.head_hash, c.note or c.signature) for c in checkpoints}
    for c in extra_checkpoints:
        marker = (c.seq, c.root or c.head_hash, c.note or c.signature)
        if marker not in known:
            known.add(marker)
            checkpoints.append(c)
    checkpoints.sort(key=lambda c: c.seq)
    return checkpoints


def _external_note_valid(cp: Any, keys: dict[str, Any]) -> bool:
    for key_id, key in keys.items():
        if notes.log_signature_valid(cp.parsed, key):
            cp.key_id = key_id
            return True
    return False


def check_signatures(checkpoints: list[Any], keys: dict[str, Any]) -> tuple[dict[int, list[Any]], list[Problem]]:
    """Checkpoints whose signature verifies (by size), and a problem for each that does not."""
    good: dict[int, list[Any]] = {}
    problems: list[Problem] = []
    for cp in checkpoints:
        external = getattr(cp, "parsed", None) is not None
        valid = _external_note_valid(cp, keys) if external else signature_valid(cp, keys)
        if valid:
            good.setdefault(cp.seq, []).append(cp)
            continue
        if external:
            why = "no signature by this log's key verifies"
        else:
            why = "unknown key id " + cp.key_id if cp.key_id not in keys else "signature does not verify"
        problems.append((cp.seq, 1, TamperKind.BAD_SIGNATURE, f"checkpoint at seq {cp.seq}: {why}", None))
    return good, problems
