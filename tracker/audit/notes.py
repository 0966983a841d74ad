"""C2SP signed notes and tlog-checkpoint bodies (docs/audit-format.md, "Checkpoints"): pure functions.

A checkpoint body is `<origin>\\n<size>\\n<base64 root>\\n`; the note is the body, a blank line
and one signature line per signer: `— <key name> <base64(key id ‖ signature)>` (U+2014, space).
The log's Ed25519 key signs the body bytes; its key name is the origin and its key ID is
SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. Witness cosignatures (alg 0x04) are other
signature lines in the same note; this module keeps them and ignores them when verifying the log.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "\u2014 "  # em dash, space


class NoteError(ValueError):
    """Text that is not a well-formed checkpoint note."""


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def note_key_id(name: str, public_key: Ed25519PublicKey, alg: int = ALG_ED25519) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ alg ‖ raw public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + raw_public(public_key)).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The signed-note verifier key string: `<name>+<hex key id>+<base64(0x01 ‖ public key)>`."""
    encoded = base64.b64encode(bytes([ALG_ED25519]) + raw_public(public_key)).decode("ascii")
    return f"{name}+{note_key_id(name, public_key).hex()}+{encoded}"


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The tlog-checkpoint body: origin, decimal size and standard base64 root, each line ending in LF."""
    if not origin or "\n" in origin or origin != origin.strip():
        raise NoteError("the origin must be one non-empty line without surrounding spaces")
    if size < 0 or len(root) != 32:
        raise NoteError("a checkpoint needs a size >= 0 and a 32-byte root hash")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def sign_note(body: str, name: str, key: Ed25519PrivateKey) -> str:
    """The signed note: body, blank line, `— name base64(key id ‖ Ed25519 signature over body)`."""
    signature = note_key_id(name, key.public_key()) + key.sign(body.encode("utf-8"))
    return f"{body}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(signature).decode('ascii')}\n"


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a witness signs (tlog-cosignature v1): `cosignature/v1`, `time <unix seconds>`, the body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosignature_line(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """`— <witness name> base64(key id ‖ 8-byte big-endian time ‖ Ed25519 signature)` (alg 0x04)."""
    raw = (note_key_id(name, key.public_key(), ALG_COSIGNATURE_V1) + timestamp.to_bytes(8, "big")
           + key.sign(cosignature_message(body, timestamp)))
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(raw).decode('ascii')}"


def cosignature_time(body: str, name: str, public_key: Ed25519PublicKey, raw: bytes) -> int | None:
    """The time a valid cosignature line's raw bytes carry for this body, or None if it does not verify."""
    if len(raw) != 76 or raw[:4] != note_key_id(name, public_key, ALG_COSIGNATURE_V1):
        return None
    timestamp = int.from_bytes(raw[4:12], "big")
    try:
        public_key.verify(raw[12:], cosignature_message(body, timestamp))
    except InvalidSignature:
        return None
    return timestamp


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint note: its body fields and every signature line (name, raw bytes)."""

    text: str
    body: str
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()
    signatures: tuple[tuple[str, bytes], ...] = field(default=())


def _parse_body(body: str) -> tuple[str, int, bytes, tuple[str, ...]]:
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[0]:
        raise NoteError("a checkpoint body has an origin, a size and a root hash line")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError(f"the size line {size_text!r} is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError("the root hash line is not base64") from error
    if len(root) != 32 or base64.b64encode(root).decode("ascii") != root_text:
        raise NoteError("the root hash line is not a 32-byte hash in standard base64")
    return origin, int(size_text), root, tuple(lines[3:])


def parse_note(text: str) -> Checkpoint:
    """Parse a signed checkpoint note (any number of signature lines, e.g. cosignatures)."""
    if "\r" in text:
        raise NoteError("a note uses LF line endings only")
    body, separator, rest = text.partition("\n\n")
    if not separator:
        raise NoteError("a note has a body, a blank line and signature lines")
    body += "\n"
    signatures = []
    for line in rest.split("\n"):
        if not line:
            continue
        if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") < 2:
            raise NoteError(f"not a signature line: {line[:60]!r}")
        name, _, encoded = line[len(SIGNATURE_PREFIX):].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise NoteError(f"signature of {name!r} is not base64") from error
        if len(raw) < 5:
            raise NoteError(f"signature of {name!r} is too short")
        signatures.append((name, raw))
    if not signatures:
        raise NoteError("the note carries no signature")
    origin, size, root, extensions = _parse_body(body)
    return Checkpoint(text=text, body=body, origin=origin, size=size, root=root,
                      extensions=extensions, signatures=tuple(signatures))


def log_signature_valid(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    """True when a signature line by the origin's key name verifies with this Ed25519 key."""
    name = checkpoint.origin
    key_id = note_key_id(name, public_key)
    message = checkpoint.body.encode("utf-8")
    for signer, raw in checkpoint.signatures:
        if signer != name or raw[:4] != key_id or len(raw) != 68:
            continue
        try:
            public_key.verify(raw[4:], message)
        except InvalidSignature:
            continue
        return True
    return False
