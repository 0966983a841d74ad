"""The witness's own state: a directory with its key, the logs it trusts and, per log, the last
checkpoint it cosigned (plus the history of every one), and the add-checkpoint rules of C2SP
tlog-witness.

    witness.json          {"name": ...}
    witness.key           the Ed25519 private key (PEM, mode 0600)
    witness.vkey          its verifier key (algorithm 0x04), to give to the log's operator
    logs.json             {"logs": [{"origin": ..., "vkey": ...}]}: the logs it witnesses
    logs/<id>/checkpoint  the last cosigned checkpoint: the log's note plus this witness's cosignature
    logs/<id>/history     one line per cosigned checkpoint: "<size> <base64 root> <unix time>"
    logs/<id>/refused     refused submissions with a valid log signature (evidence of a fork)
    logs/<id>/leaves      leaf hashes that `verify` proved against a cosigned root (32 bytes each)
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .merkle import EMPTY_ROOT, verify_consistency
from .notes import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    Checkpoint,
    NoteError,
    Verifier,
    cosign,
    load_verifier,
    note_signed_by,
    parse_checkpoint,
    raw_public,
    split_note,
)

MAX_PROOF_LINES = 63
_THREAD_LOCK = threading.Lock()


class WitnessError(Exception):
    """A refusal, with the HTTP status tlog-witness gives it."""

    def __init__(self, status: int, message: str, body: str = "", content_type: str = "text/plain") -> None:
        super().__init__(message)
        self.status = status
        self.body = body or message + "\n"
        self.content_type = content_type


@dataclass(frozen=True)
class Submission:
    old_size: int
    proof: list[bytes]
    note: str


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def log_id(origin: str) -> str:
    """The directory name of a log's state: 16 hex digits of SHA-256 over its origin."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()[:16]


def parse_submission(body: bytes) -> Submission:
    """An add-checkpoint request body: `old N`, proof lines, an empty line, the checkpoint note."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WitnessError(400, "the request is not UTF-8") from exc
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise WitnessError(400, "the request must start with 'old <size>', proof lines and an empty line")
    size_text = lines[0][4:]
    if not size_text.isdigit() or not size_text.isascii() or (size_text != "0" and size_text[0] == "0"):
        raise WitnessError(400, "the old size is not a decimal number")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessError(400, "more than 63 consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            value = base64.b64decode(line, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise WitnessError(400, "a proof line is not base64") from exc
        if len(value) != 32:
            raise WitnessError(400, "a proof line is not a 32-byte hash")
        proof.append(value)
    return Submission(int(size_text), proof, note)


def format_submission(old_size: int, proof: list[bytes], note: str) -> bytes:
    """The add-checkpoint request body (also the `add --file` format)."""
    lines = [f"old {old_size}\n"] + [base64.b64encode(p).decode("ascii") + "\n" for p in proof]
    return ("".join(lines) + "\n" + note).encode("utf-8")


class Witness:
    """One witness state directory."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)

    # --- setting up -------------------------------------------------------------------------------

    @classmethod
    def init(cls, directory: str | Path, name: str) -> Witness:
        """Create the directory, a new key and an empty list of logs (refuses to replace a key)."""
        witness = cls(directory)
        if (witness.dir / "witness.key").exists():
            raise FileExistsError(f"{witness.dir} already holds a witness key")
        if not name or any(c.isspace() for c in name) or "+" in name:
            raise ValueError("the witness name must be non-empty, without spaces or '+'")
        witness.dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        _write_atomic(witness.dir / "witness.key", pem, 0o600)
        _write_atomic(witness.dir / "witness.json", json.dumps({"name": name}, indent=1).encode() + b"\n")
        verifier = Verifier(name, ALG_COSIGNATURE_V1, raw_public(key.public_key()))
        _write_atomic(witness.dir / "witness.vkey", verifier.vkey.encode() + b"\n")
        if not (witness.dir / "logs.json").exists():
            _write_atomic(witness.dir / "logs.json", b'{"logs": []}\n')
        return witness

    @property
    def name(self) -> str:
        return str(json.loads((self.dir / "witness.json").read_text())["name"])

    def key(self) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key((self.dir / "witness.key").read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("witness.key is not an Ed25519 key")
        return key

    def verifier(self) -> Verifier:
        return Verifier(self.name, ALG_COSIGNATURE_V1, raw_public(self.key().public_key()))

    def logs(self) -> dict[str, Verifier]:
        """The trusted logs: origin -> the log's note key."""
        path = self.dir / "logs.json"
        data = json.loads(path.read_text()) if path.exists() else {"logs": []}
        return {entry["origin"]: load_verifier(entry["origin"], ALG_ED25519, entry["vkey"]) for entry in data["logs"]}

    def add_log(self, origin: str, key_text: str) -> Verifier:
        """Trust (or re-key) a log: `key_text` is a vkey line or a PEM public key."""
        verifier = load_verifier(origin, ALG_ED25519, key_text)
        if verifier.name != origin:
            raise NoteError(f"the key names {verifier.name!r}, not the origin {origin!r}")
        with self.locked():
            entries = [e for e in json.loads((self.dir / "logs.json").read_text())["logs"] if e["origin"] != origin]
            entries.append({"origin": origin, "vkey": verifier.vkey})
            _write_atomic(self.dir / "logs.json", json.dumps({"logs": entries}, indent=1).encode() + b"\n")
        return verifier

    # --- per-log state ----------------------------------------------------------------------------

    def log_dir(self, origin: str) -> Path:
        return self.dir / "logs" / log_id(origin)

    def latest(self, origin: str) -> Checkpoint | None:
        """The last checkpoint this witness cosigned for `origin`."""
        path = self.log_dir(origin) / "checkpoint"
        if not path.exists():
            return None
        text, _signatures = split_note(path.read_text(encoding="utf-8"))
        return parse_checkpoint(text)

    def latest_note(self, origin: str) -> str | None:
        path = self.log_dir(origin) / "checkpoint"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def history(self, origin: str) -> list[tuple[int, bytes, int]]:
        """(size, root, unix time) of every checkpoint cosigned for `origin`, oldest first."""
        path = self.log_dir(origin) / "history"
        rows = []
        if path.exists():
            for line in path.read_text().splitlines():
                size, root, when = line.split()
                rows.append((int(size), base64.b64decode(root), int(when)))
        return rows

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise state changes across threads and processes (serve and `add --file`)."""
        with _THREAD_LOCK:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(self.dir / ".lock", "a+b") as handle:
                try:
                    import fcntl
                    fcntl.flock(handle, fcntl.LOCK_EX)
                except ImportError:  # not POSIX: the thread lock is all there is
                    pass
                yield

    # --- add-checkpoint ---------------------------------------------------------------------------

    def _check_signature(self, note: str) -> tuple[Checkpoint, Verifier]:
        try:
            text, signatures = split_note(note)
            checkpoint = parse_checkpoint(text)
        except NoteError as exc:
            raise WitnessError(400, f"malformed checkpoint: {exc}") from exc
        verifier = self.logs().get(checkpoint.origin)
        if verifier is None:
            raise WitnessError(404, f"unknown log {checkpoint.origin!r}")
        if not note_signed_by(text, signatures, verifier):
            raise WitnessError(403, "the checkpoint carries no valid signature by the log's key")
        return checkpoint, verifier

    def add_checkpoint(self, body: bytes, *, now: int | None = None) -> str:
        """Check and cosign a submission; the cosignature line, or WitnessError (tlog-witness rules)."""
        submission = parse_submission(body)
        checkpoint, _verifier = self._check_signature(submission.note)
        if submission.old_size > checkpoint.size:
            raise WitnessError(400, "the old size is larger than the checkpoint's size")
        with self.locked():
            latest = self.latest(checkpoint.origin)
            known_size = latest.size if latest else 0
            if submission.old_size != known_size:
                raise WitnessError(409, f"this witness last cosigned size {known_size}",
                                   f"{known_size}\n", "text/x.tlog.size")
            self._check_consistency(submission, checkpoint, latest)
            timestamp = max(int(now if now is not None else time.time()), 1)
            line = cosign(checkpoint.text, self.name, self.key(), timestamp).line
            self._store(checkpoint, submission.note, line, timestamp)
        return line

    def _check_consistency(self, submission: Submission, checkpoint: Checkpoint, latest: Checkpoint | None) -> None:
        if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
            self._refused(submission, checkpoint, "size 0 with a root other than the empty tree's")
        if latest is None or submission.old_size == 0:
            if submission.proof:
                self._refused(submission, checkpoint, "a proof from size 0 must be empty")
            return
        if not verify_consistency(latest.size, checkpoint.size, latest.root, checkpoint.root, submission.proof):
            self._refused(submission, checkpoint, f"the consistency proof from size {latest.size} does not verify "
                                                  "(the log was rewritten or forked)")

    def _refused(self, submission: Submission, checkpoint: Checkpoint, reason: str) -> None:
        directory = self.log_dir(checkpoint.origin)
        directory.mkdir(parents=True, exist_ok=True)
        record = {"time": int(time.time()), "reason": reason, "old": submission.old_size,
                  "proof": [base64.b64encode(p).decode() for p in submission.proof], "note": submission.note}
        with open(directory / "refused", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        raise WitnessError(422, reason)

    def _store(self, checkpoint: Checkpoint, note: str, line: str, timestamp: int) -> None:
        directory = self.log_dir(checkpoint.origin)
        directory.mkdir(parents=True, exist_ok=True)
        own = [s for s in split_note(note)[1] if s.name != self.name]
        text = checkpoint.text + "\n" + "".join(s.line for s in own) + line
        with open(directory / "history", "a", encoding="ascii") as handle:
            handle.write(f"{checkpoint.size} {checkpoint.root_b64} {timestamp}\n")
            handle.flush()
            os.fsync(handle.fileno())
        _write_atomic(directory / "checkpoint", text.encode("utf-8"))
