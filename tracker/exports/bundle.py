"""The verifiable bundle: a zip an auditor can check offline with the enclosed verify_record.py."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from tracker.audit import checkpoints, merkle, tree
from tracker.exports import keys
from tracker.extensions import db

FORMAT = "samverkan-procedure-record-bundle/v1"
MANIFEST_HEADER = b"samverkan-export-manifest/v1\n"
VERIFIER = Path(__file__).resolve().parent / "verify_record.py"
README = """Samverkan procedure record {diary}

record.pdf          the procedure record to read
record.json         the same record as data (schema: docs/procedure-record.schema.json)
audit-events.csv    the case's audit events, with prev_hash and hash
checkpoints.json    signed checkpoints of the audit log (C2SP checkpoint notes)
inclusion-proofs.json each case event's Merkle inclusion proof against the newest checkpoint
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
    proofs = inclusion_proofs([e["seq"] for e in events])
    files: dict[str, bytes] = {
        "record.pdf": pdf,
        "record.json": record_json,
        "audit-events.csv": events_csv,
        "checkpoints.json": _json_bytes(checkpoint_file),
        "inclusion-proofs.json": _json_bytes(proofs),
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


PROOF_FORMAT = "samverkan-inclusion-proofs/v1"
_PROOF_BATCH = 256


def inclusion_proofs(seqs: list[int]) -> dict[str, Any]:
    """Each event's RFC 9162 inclusion proof against the newest checkpoint note (docs/audit-format.md).

    The nodes of a batch of proofs are read in one query; the export wrote that checkpoint just
    before it read the trail, so it covers every event of the record.
    """
    cp = checkpoints.latest_checkpoint()
    if cp is None or not cp.note:
        return {"format": PROOF_FORMAT, "checkpoint": None, "proofs": []}
    size = cp.seq
    out: list[dict[str, Any]] = []
    wanted = [s for s in seqs if 1 <= s <= size]
    for start in range(0, len(wanted), _PROOF_BATCH):
        batch = wanted[start:start + _PROOF_BATCH]
        spans = {s: merkle.inclusion_spans(s - 1, size) for s in batch}
        found = tree.node_hashes(db.session, [n for sp in spans.values() for lo, hi in sp
                                              for n in merkle.perfect_nodes(lo, hi)])
        for s in batch:
            path = merkle.resolve(spans[s], found.__getitem__)
            out.append({"seq": s, "leaf_index": s - 1, "proof": [base64.b64encode(p).decode("ascii") for p in path]})
    return {"format": PROOF_FORMAT, "checkpoint": cp.note, "tree_size": size, "proofs": out}
