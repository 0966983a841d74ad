"""C2SP signed notes, tlog-checkpoint bodies and tlog-cosignature/v1 (Ed25519) cosignatures.

A note is its text (ending in a newline), an empty line and one or more signature lines
`— <key name> <base64(4-byte key ID || signature)>`. Verifier keys ("vkeys") are written
`<name>+<8 hex digits of key ID>+<base64(algorithm byte || public key)>`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
DASH = "\u2014 "
COSIGNATURE_HEADER = "cosignature/v1\n"


class NoteError(ValueError):
    """A note, key or checkpoint that does not parse."""


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, alg: int, public: bytes) -> bytes:
    """SHA-256(name || 0x0A || alg || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key for one signature algorithm (0x01 notes, 0x04 cosignatures)."""

    name: str
    alg: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.alg, self.public)

    @property
    def vkey(self) -> str:
        """The verifier key in the note format: name+hex key ID+base64(alg || key)."""
        material = base64.b64encode(bytes([self.alg]) + self.public).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public)


def parse_vkey(text: str) -> Verifier:
    """A verifier key `name+keyid+base64(alg||key)`; the key ID must match."""
    try:
        name, hex_id, material = text.strip().split("+", 2)  # a name has no "+", base64 may
        raw = base64.b64decode(material, validate=True)
        claimed = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error) as exc:
        raise NoteError(f"not a verifier key: {text.strip()!r}") from exc
    if not name or len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError("a verifier key must carry a name and an Ed25519 key (algorithm 0x01 or 0x04)")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id != claimed:
        raise NoteError(f"the key ID of {name!r} does not match its key")
    return verifier


def load_verifier(name: str, alg: int, text: str) -> Verifier:
    """A verifier from a vkey line or a PEM public (or private) key, for `name`."""
    text = text.strip()
    if "-----BEGIN" not in text:
        verifier = parse_vkey(text)
        if verifier.name != name and name:
            raise NoteError(f"the verifier key names {verifier.name!r}, expected {name!r}")
        return Verifier(verifier.name, alg, verifier.public)
    data = text.encode("ascii")
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise NoteError("not an Ed25519 key")
        return Verifier(name, alg, raw_public(private.public_key()))
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise NoteError("not an Ed25519 public key")
    return Verifier(name, alg, raw_public(public))


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    blob: bytes

    @property
    def line(self) -> str:
        return f"{DASH}{self.name} {base64.b64encode(self.key_id + self.blob).decode('ascii')}\n"


def parse_signature_line(line: str) -> Signature:
    """One `— name base64` line (with or without its newline)."""
    line = line.rstrip("\n")
    if not line.startswith(DASH):
        raise NoteError("a signature line starts with an em dash and a space")
    try:
        name, encoded = line[len(DASH):].rsplit(" ", 1)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError("malformed signature line") from exc
    if not name or " " in name or len(raw) < 5:
        raise NoteError("malformed signature line")
    return Signature(name, raw[:4], raw[4:])


def split_note(note: str) -> tuple[str, list[Signature]]:
    """(text, signatures) of a signed note; the text ends with its newline."""
    index = note.rfind("\n\n")
    if index < 0 or not note.endswith("\n"):
        raise NoteError("a signed note is its text, an empty line and signature lines")
    text, block = note[:index + 1], note[index + 2:]
    signatures = [parse_signature_line(line) for line in block.splitlines()]
    if not signatures:
        raise NoteError("the note carries no signature")
    return text, signatures


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """`text` signed with an Ed25519 note key (algorithm 0x01) named `name`."""
    verifier = Verifier(name, ALG_ED25519, raw_public(key.public_key()))
    return text + "\n" + Signature(name, verifier.key_id, key.sign(text.encode("utf-8"))).line


def note_signed_by(text: str, signatures: list[Signature], verifier: Verifier) -> bool | None:
    """True: a valid signature by `verifier`; False: one that names it but fails; None: none names it."""
    found: bool | None = None
    for signature in signatures:
        if signature.name != verifier.name or signature.key_id != verifier.key_id:
            continue
        if verifier.alg == ALG_COSIGNATURE_V1:
            ok = cosignature_valid(text, signature, verifier) is not None
        else:
            try:
                verifier.key().verify(signature.blob, text.encode("utf-8"))
                ok = True
            except (InvalidSignature, ValueError):
                ok = False
        if not ok:
            return False
        found = True
    return found


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash (and any extension lines)."""

    origin: str
    size: int
    root: bytes
    text: str

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode("ascii")


def parse_checkpoint(text: str) -> Checkpoint:
    """The body of a checkpoint note (the text before the signatures)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise NoteError("a checkpoint is an origin, a size and a root hash, each on its own line")
    size_text, root_text = lines[1], lines[2]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")) or not size_text.isascii():
        raise NoteError("the checkpoint's size is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError("the checkpoint's root hash is not base64") from exc
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(lines[0], int(size_text), root, text)


def cosignature_message(text: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs: header, time line, the checkpoint body."""
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> Signature:
    """A cosignature/v1 line on checkpoint body `text`."""
    verifier = Verifier(name, ALG_COSIGNATURE_V1, raw_public(key.public_key()))
    signature = key.sign(cosignature_message(text, timestamp))
    return Signature(name, verifier.key_id, struct.pack(">Q", timestamp) + signature)


def cosignature_valid(text: str, signature: Signature, verifier: Verifier) -> int | None:
    """The timestamp of a valid cosignature by `verifier` on `text`, or None."""
    if signature.name != verifier.name or signature.key_id != verifier.key_id or len(signature.blob) != 72:
        return None
    (timestamp,) = struct.unpack(">Q", signature.blob[:8])
    try:
        verifier.key().verify(signature.blob[8:], cosignature_message(text, timestamp))
    except (InvalidSignature, ValueError):
        return None
    return timestamp
