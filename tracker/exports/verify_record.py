#!/usr/bin/env python3
"""Verify a Samverkan procedure-record bundle offline, without the application.

Usage:  python3 verify_record.py [BUNDLE.zip | DIRECTORY]
        (no argument: the directory this script is in)

Needs Python 3.9+ and, for the signatures, the `cryptography` package. Checks, and prints:
  1. manifest.json lists every file with its SHA-256, and every file matches (none missing or extra);
  2. manifest.sig is a valid Ed25519 signature over the manifest by the audit key in the bundle;
  3. every audit event of the case in record.json hashes to its stored hash
     (SHA-256 of prev_hash + canonical JSON; events whose payload was redacted for this reader
     are counted and named, as their hash cannot be recomputed without the hidden payload);
  4. audit-events.csv holds exactly the same events as record.json;
  5. the document versions in the manifest equal those in record.json;
  6. every checkpoint in checkpoints.json has a valid signature by the key in audit-public-key.pem,
     the record's chain head is one of them, and it covers the case's last event;
  7. every case event is in the signed log: its RFC 9162 inclusion proof (inclusion-proofs.json)
     leads from SHA-256(0x00 || event hash) to the root of the signed checkpoint note.
Exit 0 when everything holds; exit 1 with the reasons otherwise. See docs/procedure-record.md
for what this does and does not prove.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_HEADER = b"samverkan-export-manifest/v1\n"
CHECKPOINT_HEADER = "samverkan-audit-checkpoint/v1"
HASHED_FIELDS = ("seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action",
                 "target_type", "target_id", "case_id", "client_address", "payload")
INT_FIELDS = ("seq", "actor_id", "case_id")


# --- the canonical form (same as tracker/audit/canonical.py) ----------------------------------------

def canonical_json(event: dict) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, non-ASCII kept as is."""
    body = {key: event[key] for key in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """hash = SHA-256(prev_hash as 64 ASCII hex digits || canonical JSON)."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def parse_note(text: str):
    """(body, origin, size, root, [(name, raw signature)]) of a C2SP checkpoint note, or None."""
    body, sep, rest = text.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3 or not lines[1].isdigit():
        return None
    try:
        root = base64.b64decode(lines[2], validate=True)
        signatures = [(line[2:].rpartition(" ")[0], base64.b64decode(line.rpartition(" ")[2], validate=True))
                      for line in rest.split("\n") if line.startswith("\u2014 ")]
    except ValueError:
        return None
    return body + "\n", lines[0], int(lines[1]), root, signatures


def note_signature_ok(key, text: str) -> bool:
    """The log's signature line (key name = origin, key ID = SHA-256(name || LF || 0x01 || key)[:4])."""
    from cryptography.hazmat.primitives import serialization

    parts = parse_note(text)
    if parts is None:
        return False
    body, origin, _size, _root, signatures = parts
    raw_key = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(origin.encode("utf-8") + b"\n\x01" + raw_key).digest()[:4]
    for name, raw in signatures:
        if name == origin and raw[:4] == key_id and len(raw) == 68 and \
                signature_ok(key, base64.b64encode(raw[4:]).decode("ascii"), body.encode("utf-8")):
            return True
    return False


def checkpoint_message(cp: dict) -> bytes:
    return (f"{CHECKPOINT_HEADER}\nseq={cp['seq']}\nhead={cp['head_hash']}\n"
            f"signed_at={cp['signed_at']}\nkey_id={cp['key_id']}\n").encode("ascii")


# --- reading the bundle -----------------------------------------------------------------------------

def read_bundle(location: Path) -> dict:
    """name -> bytes of every file in the zip or directory (subdirectories are not expected)."""
    files = {}
    if location.is_file():
        with zipfile.ZipFile(location) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    files[info.filename] = archive.read(info)
    else:
        for path in sorted(location.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                files[path.name] = path.read_bytes()
    return files


class Report:
    def __init__(self) -> None:
        self.failures: list = []

    def ok(self, message: str) -> None:
        print(f"OK    {message}")

    def note(self, message: str) -> None:
        print(f"NOTE  {message}")

    def fail(self, message: str) -> None:
        print(f"FAIL  {message}")
        self.failures.append(message)


def load_public_key(pem: bytes, report: Report):
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        report.fail("the 'cryptography' package is not installed: signatures cannot be checked "
                    "(pip install cryptography)")
        return None, None
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        report.fail(f"audit-public-key.pem is not a PEM public key ({exc})")
        return None, None
    if not isinstance(key, Ed25519PublicKey):
        report.fail("audit-public-key.pem is not an Ed25519 key")
        return None, None
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, hashlib.sha256(raw).hexdigest()[:16]


def signature_ok(key, signature_b64: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- the checks -------------------------------------------------------------------------------------

def check_manifest(files: dict, report: Report) -> dict | None:
    if MANIFEST not in files:
        report.fail("manifest.json is missing")
        return None
    try:
        manifest = json.loads(files[MANIFEST])
    except ValueError as exc:
        report.fail(f"manifest.json is not valid JSON ({exc})")
        return None
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    problems = 0
    for name, entry in sorted(listed.items()):
        if name not in files:
            report.fail(f"{name} is listed in the manifest but missing from the bundle")
            problems += 1
        elif hashlib.sha256(files[name]).hexdigest() != entry["sha256"]:
            report.fail(f"{name} does not match its SHA-256 in the manifest (the file was changed)")
            problems += 1
        elif len(files[name]) != entry.get("bytes", len(files[name])):
            report.fail(f"{name} has another size than the manifest says")
            problems += 1
    for name in sorted(set(files) - set(listed) - {MANIFEST, SIGNATURE}):
        report.fail(f"{name} is in the bundle but not in the manifest")
        problems += 1
    if not problems:
        report.ok(f"manifest: {len(listed)} files present, each matches its SHA-256")
    return manifest


def check_manifest_signature(files: dict, key, key_id: str | None, report: Report) -> None:
    if key is None:
        return
    if SIGNATURE not in files:
        report.fail("manifest.sig is missing: the manifest is not signed")
        return
    try:
        sig = json.loads(files[SIGNATURE])
    except ValueError:
        report.fail("manifest.sig is not valid JSON")
        return
    if sig.get("key_id") != key_id:
        report.fail(f"manifest.sig names key {sig.get('key_id')}, the bundle's key is {key_id}")
    elif not signature_ok(key, sig.get("signature", ""), MANIFEST_HEADER + files.get(MANIFEST, b"")):
        report.fail("manifest.sig does not verify: the manifest was changed after signing")
    else:
        report.ok(f"manifest signature valid (Ed25519, key {key_id})")


def check_events(record: dict, report: Report) -> list:
    events = record.get("audit", {}).get("events", [])
    case_id = record.get("case", {}).get("id")
    last_seq = 0
    bad = 0
    redacted = []
    for event in events:
        seq = event.get("seq")
        if not isinstance(seq, int) or seq <= last_seq:
            report.fail(f"record.json: audit event seq {seq} is out of order")
            bad += 1
        last_seq = seq if isinstance(seq, int) else last_seq
        if event.get("case_id") != case_id:
            report.fail(f"record.json: audit event {seq} belongs to case {event.get('case_id')}, not {case_id}")
            bad += 1
        if event.get("payload_redacted"):
            redacted.append(seq)
            continue
        if chain_hash(event["prev_hash"], canonical_json(event)) != event["hash"]:
            report.fail(f"record.json: audit event {seq} ({event.get('action')}) does not match its hash "
                        "(the event was changed)")
            bad += 1
    if not bad:
        report.ok(f"record.json: {len(events) - len(redacted)} audit events of the case recomputed, "
                  "each matches its hash")
    if redacted:
        report.note(f"{len(redacted)} events have a payload hidden from this reader; their hashes were not "
                    f"recomputed (seq {', '.join(str(s) for s in redacted[:20])}"
                    f"{' …' if len(redacted) > 20 else ''})")
    return events


# The exporter puts a quote before a cell a spreadsheet would run as a formula (tracker/exports/csv_safety.py).
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def restore_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and FORMULA_START.match(text[1:]) else text


def _csv_value(field: str, text: str):
    text = restore_cell(text)
    if text == "":
        return None
    if field in INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            return text
    if field == "payload":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


# A header names its column in the record's language and ends with the column's code: "Tapahtuma (action)".
HEADER_CODE = re.compile(r"\(([a-z_]+)\)\s*$")


def column_code(header: str) -> str:
    """The code of a CSV column from its header (a bare code is its own code)."""
    match = HEADER_CODE.search(header)
    return match.group(1) if match else header.strip()


def check_csv(files: dict, events: list, report: Report) -> None:
    if "audit-events.csv" not in files:
        return  # already reported by the manifest check
    reader = csv.reader(io.StringIO(files["audit-events.csv"].decode("utf-8"), newline=""))
    header = [column_code(restore_cell(h)) for h in next(reader, [])]
    rows = [dict(zip(header, cells, strict=False)) for cells in reader]
    by_seq = {e["seq"]: e for e in events}
    bad = 0
    if len(rows) != len(events):
        report.fail(f"audit-events.csv has {len(rows)} events, record.json {len(events)}")
        bad += 1
    for row in rows:
        seq = _csv_value("seq", row.get("seq", ""))
        event = by_seq.get(seq)
        if event is None:
            report.fail(f"audit-events.csv: event {seq} is not in record.json")
            bad += 1
            continue
        for field in (*HASHED_FIELDS, "prev_hash", "hash"):
            if field == "payload" and event.get("payload_redacted"):
                continue
            expected = event.get(field)
            value = _csv_value(field, row.get(field, ""))
            if value != expected and not (value is None and expected == ""):
                report.fail(f"audit-events.csv: event {seq} differs from record.json in '{field}' "
                            "(the row was changed)")
                bad += 1
                break
    if not bad:
        report.ok(f"audit-events.csv: the same {len(rows)} events as record.json")


def check_documents(manifest: dict, record: dict, report: Report) -> None:
    listed = {(d["document_id"], d["version"]): d for d in manifest.get("document_versions", [])}
    recorded = {(d["id"], v["version"]): v for d in record.get("documents", []) for v in d.get("versions", [])}
    bad = 0
    for key in sorted(set(listed) | set(recorded)):
        a, b = listed.get(key), recorded.get(key)
        if a is None or b is None or a["sha256"] != b["sha256"] or a["size"] != b["size"]:
            report.fail(f"document {key[0]} version {key[1]}: manifest and record.json disagree")
            bad += 1
    if not bad:
        report.ok(f"documents: {len(listed)} document versions, hashes and sizes agree with record.json")


def check_checkpoints(files: dict, record: dict, events: list, key, key_id: str | None, report: Report) -> None:
    if key is None or "checkpoints.json" not in files:
        return
    try:
        data = json.loads(files["checkpoints.json"])
    except ValueError:
        report.fail("checkpoints.json is not valid JSON")
        return
    checkpoints = data.get("checkpoints", [])
    valid = []
    for cp in checkpoints:
        if cp.get("key_id") != key_id:
            report.note(f"checkpoint at seq {cp.get('seq')} is signed by another key ({cp.get('key_id')}); skipped")
            continue
        if cp.get("note"):
            parts = parse_note(cp["note"])
            good = (parts is not None and note_signature_ok(key, cp["note"]) and parts[2] == cp.get("seq")
                    and base64.b64encode(parts[3]).decode("ascii") == cp.get("root"))
        else:
            good = signature_ok(key, cp.get("signature", ""), checkpoint_message(cp))
        if good:
            valid.append(cp)
        else:
            report.fail(f"checkpoint at seq {cp.get('seq')}: the signature does not verify")
    if valid:
        report.ok(f"checkpoints: {len(valid)} signatures valid (Ed25519, key {key_id})")
    head = record.get("audit", {}).get("chain_head", {})
    anchor = next((cp for cp in valid if cp["seq"] == head.get("seq") and cp["head_hash"] == head.get("hash")), None)
    if anchor is None:
        report.fail(f"the record's chain head (seq {head.get('seq')}) is not a validly signed checkpoint")
        return
    report.ok(f"chain head seq {anchor['seq']} {anchor['head_hash']} is signed (at {anchor['signed_at']})")
    if events and events[-1]["seq"] > anchor["seq"]:
        report.fail(f"the case's last event ({events[-1]['seq']}) is after the signed head ({anchor['seq']})")
    by_seq = {e["seq"]: e for e in events}
    for cp in valid:
        event = by_seq.get(cp["seq"])
        if event is not None and event["hash"] != cp["head_hash"]:
            report.fail(f"event {cp['seq']} has another hash than the signed checkpoint at that seq")
    anchored = [cp["seq"] for cp in valid if cp["seq"] in by_seq]
    if anchored:
        report.ok(f"case events anchored directly by a signed checkpoint: seq {', '.join(map(str, anchored))}")


def check_inclusion(files: dict, events: list, key, report: Report) -> None:
    """Every case event's inclusion proof against the signed checkpoint note of the proofs file."""
    if key is None:
        return
    if "inclusion-proofs.json" not in files:
        report.fail("inclusion-proofs.json is missing: the events' membership in the log cannot be checked")
        return
    try:
        data = json.loads(files["inclusion-proofs.json"])
    except ValueError:
        report.fail("inclusion-proofs.json is not valid JSON")
        return
    note = data.get("checkpoint") or ""
    parts = parse_note(note)
    if parts is None or not note_signature_ok(key, note):
        report.fail("inclusion proofs: their checkpoint note is missing or not signed by the audit key")
        return
    _body, origin, size, root, _sigs = parts
    proofs = {p.get("seq"): p for p in data.get("proofs", [])}
    bad = []
    for event in events:
        p = proofs.get(event["seq"])
        try:
            path = [base64.b64decode(x, validate=True) for x in (p or {}).get("proof", [])]
            ok = p is not None and verify_inclusion(leaf_hash(bytes.fromhex(event["hash"])), event["seq"] - 1,
                                                    size, path, root)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            bad.append(event["seq"])
    if bad:
        report.fail(f"inclusion proofs: events {', '.join(map(str, bad[:10]))} are not in the signed log "
                    f"({origin}, size {size})")
    else:
        report.ok(f"inclusion proofs: all {len(events)} case events are in the signed log ({origin}, size {size})")


def verify(location: Path) -> int:
    report = Report()
    print(f"Verifying {location}")
    try:
        files = read_bundle(location)
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"FAIL  cannot read the bundle: {exc}")
        return 1
    manifest = check_manifest(files, report) or {}
    key = key_id = None
    if "audit-public-key.pem" in files:
        key, key_id = load_public_key(files["audit-public-key.pem"], report)
        if key is not None:
            report.note(f"audit public key id {key_id}: compare it with the one your organisation publishes")
    check_manifest_signature(files, key, key_id, report)
    record = None
    if "record.json" in files:
        try:
            record = json.loads(files["record.json"])
        except ValueError as exc:
            report.fail(f"record.json is not valid JSON ({exc})")
    if record is not None:
        if manifest.get("diary_number") not in (None, record.get("case", {}).get("diary_number")):
            report.fail("the manifest and record.json name different cases")
        events = check_events(record, report)
        check_csv(files, events, report)
        check_documents(manifest, record, report)
        check_checkpoints(files, record, events, key, key_id, report)
        check_inclusion(files, events, key, report)
    if report.failures:
        print(f"RESULT: FAILED ({len(report.failures)} problem(s)); first: {report.failures[0]}")
        return 1
    print(f"RESULT: VERIFIED {manifest.get('diary_number', '')}")
    return 0


def main(argv: list) -> int:
    location = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    return verify(location)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
