"""The verifiable bundle: a zip an auditor can check offline with the enclosed verify_record.py."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from tracker.audit import checkpoints
from tracker.exports import keys

FORMAT = "samverkan-procedure-record-bundle/v1"
MANIFEST_HEADER = b"samverkan-export-manifest/v1\n"
VERIFIER = Path(__file__).resolve().parent / "verify_record.py"
README = """Samverkan procedure record {diary}

record.pdf          the procedure record to read
record.json         the same record as data (schema: docs/procedure-record.schema.json)
audit-events.csv    the case's audit events, with prev_hash and hash
checkpoints.json    signed checkpoints of the audit chain head
audit-public-key.pem the key that signed them (key id {key_id})
manifest.json       SHA-256 of every file and of every document version
manifest.sig        Ed25519 signature over the manifest by the same key
verify_record.py    checks all of the above: python3 verify_record.py  (needs: pip install cryptography)
"""


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def _entry(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def build_bundle(record: dict[str, Any], pdf: bytes, record_json: bytes, events_csv: bytes) -> bytes:
    """The zip bytes of one case's bundle, built from an already rendered record."""
    private_key = checkpoints.load_private_key()
    public_key = private_key.public_key()
    key_id = checkpoints.key_id_of(public_key)
    events = record["audit"]["events"]
    first_seq = events[0]["seq"] if events else record["audit"]["chain_head"]["seq"]
    checkpoint_file = {
        "format": keys.MESSAGE_HEADER,
        "public_keys": keys.public_keys(),
        "checkpoints": keys.checkpoints_since(first_seq),
    }
    case = record["case"]
    files: dict[str, bytes] = {
        "record.pdf": pdf,
        "record.json": record_json,
        "audit-events.csv": events_csv,
        "checkpoints.json": _json_bytes(checkpoint_file),
        "audit-public-key.pem": checkpoints.public_key_pem(public_key).encode("ascii"),
        "verify_record.py": VERIFIER.read_bytes(),
        "README.txt": README.format(diary=case["diary_number"], key_id=key_id).encode("utf-8"),
    }
    manifest = {
        "format": FORMAT,
        "diary_number": case["diary_number"],
        "case_id": case["id"],
        "generated_at": record["generated_at"],
        "generated_by": record["generated_by"]["name"],
        "chain_head": record["audit"]["chain_head"],
        "key_id": key_id,
        "files": [_entry(name, data) for name, data in files.items()],
        "document_versions": [
            {"document_id": d["id"], "version": v["version"], "sha256": v["sha256"], "size": v["size"]}
            for d in record["documents"] for v in d["versions"]
        ],
    }
    manifest_bytes = _json_bytes(manifest)
    signature = {"key_id": key_id, "algorithm": "Ed25519",
                 "signature": checkpoints.sign(private_key, MANIFEST_HEADER + manifest_bytes)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (*files.items(), ("manifest.json", manifest_bytes),
                           ("manifest.sig", _json_bytes(signature))):
            archive.writestr(name, data)
    return out.getvalue()
