"""The bundle and its standalone verifier: passes on a fresh bundle, fails with a reason on tampering."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tracker.exports import services
from tracker.exports.verify_record import column_code
from tracker.extensions import db

EXPECTED_FILES = {"record.pdf", "record.json", "audit-events.csv", "checkpoints.json", "audit-public-key.pem",
                  "manifest.json", "manifest.sig", "verify_record.py", "README.txt", "inclusion-proofs.json"}


@pytest.fixture
def bundle(setup, tmp_path) -> Path:
    result = services.export_bundle(setup["case"], setup["auditor"])
    db.session.commit()
    path = tmp_path / "bundle.zip"
    path.write_bytes(result.data)
    return path


def run_verifier(target: Path, script: Path | None = None) -> subprocess.CompletedProcess:
    """Run the bundle's own verify_record.py in a fresh interpreter, outside the app."""
    if script is None:
        script = target.parent / "verify_record.py"
        with zipfile.ZipFile(target) as archive:
            script.write_bytes(archive.read("verify_record.py"))
    return subprocess.run([sys.executable, "-I", str(script), str(target)], capture_output=True, text=True,
                          cwd=target.parent, timeout=120)


def rewrite(src: Path, dst: Path, *, change: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
            refresh_manifest: bool = False) -> Path:
    """A copy of the bundle with files changed or removed (optionally with a recomputed manifest)."""
    import hashlib

    with zipfile.ZipFile(src) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files.update(change or {})
    for name in drop:
        files.pop(name)
    if refresh_manifest:
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["name"] in files:
                entry["sha256"] = hashlib.sha256(files[entry["name"]]).hexdigest()
                entry["bytes"] = len(files[entry["name"]])
        files["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    with zipfile.ZipFile(dst, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return dst


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_bundle_holds_every_file_and_the_verifier_passes(bundle, setup):
    with zipfile.ZipFile(bundle) as archive:
        assert set(archive.namelist()) == EXPECTED_FILES
    manifest = json.loads(read(bundle, "manifest.json"))
    assert manifest["diary_number"] == setup["case"].diary_number
    result = run_verifier(bundle)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RESULT: VERIFIED" in result.stdout
    assert "manifest signature valid" in result.stdout
    assert "each matches its hash" in result.stdout
    assert "is signed" in result.stdout
    assert "case events are in the signed log" in result.stdout


def test_each_case_event_carries_an_inclusion_proof_against_the_signed_note(bundle):
    import base64

    from tracker.audit import merkle, notes

    proofs = json.loads(read(bundle, "inclusion-proofs.json"))
    record = json.loads(read(bundle, "record.json"))
    note = notes.parse_note(proofs["checkpoint"])
    assert note.size == proofs["tree_size"] and [p["seq"] for p in proofs["proofs"]] == [
        e["seq"] for e in record["audit"]["events"]]
    for event, entry in zip(record["audit"]["events"], proofs["proofs"], strict=True):
        path = [base64.b64decode(x) for x in entry["proof"]]
        assert merkle.verify_inclusion(merkle.leaf_hash(bytes.fromhex(event["hash"])), event["seq"] - 1,
                                       note.size, path, note.root)


def test_a_tampered_inclusion_proof_fails_offline(bundle, tmp_path):
    proofs = json.loads(read(bundle, "inclusion-proofs.json"))
    victim = next(p for p in proofs["proofs"] if p["proof"])
    first = bytearray(__import__("base64").b64decode(victim["proof"][0]))
    first[0] ^= 1
    victim["proof"][0] = __import__("base64").b64encode(bytes(first)).decode()
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"inclusion-proofs.json": json.dumps(proofs).encode()},
                       refresh_manifest=True)
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert f"inclusion proofs: events {victim['seq']}" in result.stdout


def test_verifier_runs_on_an_extracted_directory(bundle, tmp_path):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    result = subprocess.run([sys.executable, "-I", str(folder / "verify_record.py")], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_edited_json_fails(bundle, tmp_path):
    record = json.loads(read(bundle, "record.json"))
    record["case"]["title"] = "Något helt annat"
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"record.json": json.dumps(record).encode()})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "record.json does not match its SHA-256" in result.stdout


def test_edited_json_event_with_recomputed_manifest_fails_on_signature_and_hash(bundle, tmp_path):
    record = json.loads(read(bundle, "record.json"))
    record["audit"]["events"][0]["actor_name"] = "Någon annan"
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"record.json": json.dumps(record).encode()},
                       refresh_manifest=True)
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "manifest.sig does not verify" in result.stdout
    assert "does not match its hash" in result.stdout


def test_edited_audit_row_fails(bundle, tmp_path):
    rows = list(csv.reader(io.StringIO(read(bundle, "audit-events.csv").decode())))
    header = [column_code(h) for h in rows[0]]
    rows[1][header.index("action")] = "case.deleted"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"audit-events.csv": out.getvalue().encode()},
                       refresh_manifest=True)
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "audit-events.csv does not match" not in result.stdout  # manifest refreshed: deeper check
    assert "differs from record.json in 'action'" in result.stdout


def test_removed_file_fails(bundle, tmp_path):
    tampered = rewrite(bundle, tmp_path / "t.zip", drop=("audit-events.csv",))
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "audit-events.csv is listed in the manifest but missing" in result.stdout


def test_added_file_and_forged_checkpoint_fail(bundle, tmp_path):
    checkpoints = json.loads(read(bundle, "checkpoints.json"))
    checkpoints["checkpoints"][-1]["root"] = "/" * 43 + "="  # not the root the note signs
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"checkpoints.json": json.dumps(checkpoints).encode(),
                                                            "extra.txt": b"hello"})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "extra.txt is in the bundle but not in the manifest" in result.stdout
    assert "the signature does not verify" in result.stdout


def test_bundle_from_another_key_is_not_accepted_as_signed(bundle, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    tampered = rewrite(bundle, tmp_path / "t.zip", change={"audit-public-key.pem": other}, refresh_manifest=True)
    result = run_verifier(tampered)
    assert result.returncode == 1
