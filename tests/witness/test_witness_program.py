"""The witness program as the personnel side runs it (its own process): tlog-witness add-checkpoint
over HTTP and from a file, and its own `verify` finding every tampering of the "Done when" list."""
from __future__ import annotations

import base64
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.audit.helpers import (
    TABLE,
    attacker,
    build_chain,
    delete_after,
    delete_rows,
    edit_payload,
    insert_forged,
    rewrite_from,
    swap,
)
from tests.witness.support import leaves, make_note, new_witness, run_witness, serving
from tracker.audit.models import AuditCheckpoint
from tracker.audit.witness_config import log_origin
from tracker.extensions import db
from tracker.witness_program import merkle
from tracker.witness_program.notes import cosignature_valid, parse_checkpoint, parse_signature_line, split_note
from tracker.witness_program.state import format_submission

pytestmark = pytest.mark.commits


def _post(url: str, body: bytes) -> tuple[int, str, str]:
    request = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def _origin(app) -> str:
    return log_origin(app.config)


def test_add_checkpoint_over_http_follows_tlog_witness(app, tmp_path):
    origin = _origin(app)
    build_chain(5)
    witness = new_witness(tmp_path / "w", origin)
    first = make_note(origin)
    with serving(witness.dir) as url:
        status, _type, body = _post(url, format_submission(0, [], first))
        assert status == 200, body
        text_, _sigs = split_note(first)
        assert cosignature_valid(text_, parse_signature_line(body), witness.verifier()) is not None

        build_chain(4, start=6)
        second = make_note(origin)
        status, content_type, body = _post(url, format_submission(0, [], second))
        assert (status, content_type, body) == (409, "text/x.tlog.size", "5\n")
        proof = merkle.consistency_proof(leaves(), 5, 9)
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
        assert _post(url, format_submission(5, bad, second))[0] == 422
        assert _post(url, format_submission(9, [], second))[0] == 409
        assert _post(url, format_submission(5, proof, second))[0] == 200
        assert witness.latest(origin).size == 9

        unknown = make_note("other.example/log")
        assert _post(url, format_submission(0, [], unknown))[0] == 404
        forged = second.replace(second.split("\n")[2], base64.b64encode(b"x" * 32).decode())
        assert _post(url, format_submission(9, [], forged))[0] == 403
        assert _post(url, format_submission(12, [], second))[0] == 400
        assert _post(url, b"not a submission")[0] == 400
    # The refused forks are kept as evidence; the cosigned state did not move.
    assert "does not verify" in (witness.log_dir(origin) / "refused").read_text()
    assert [size for size, _root, _t in witness.history(origin)] == [5, 9]


def test_add_from_a_file_for_a_witness_without_network(app, tmp_path):
    origin = _origin(app)
    build_chain(3)
    witness = new_witness(tmp_path / "w", origin)
    submission = tmp_path / "checkpoint.txt"
    submission.write_bytes(format_submission(0, [], make_note(origin)))
    result = run_witness(witness.dir, "add", "--file", str(submission), "--out", str(tmp_path / "cosig"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cosig").read_text().startswith("\u2014 witness.example/union ")
    # The same file again is a conflict only if the size moved; an old file is refused clearly.
    build_chain(2, start=4)
    submission.write_bytes(format_submission(0, [], make_note(origin)))
    result = run_witness(witness.dir, "add", "--file", str(submission))
    assert result.returncode == 1 and b"old 3" in result.stderr


def _source_args(app) -> list[str]:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return ["--sqlite", str(url.database)]
    return ["--dsn", url.render_as_string(hide_password=False)]


def _cosign(witness, origin: str, size: int) -> None:
    latest = witness.latest(origin)
    old = latest.size if latest else 0
    proof = merkle.consistency_proof(leaves(), old, size) if old else []
    witness.add_checkpoint(format_submission(old, proof, make_note(origin, size)))


def _verify(app, witness, *extra: str):
    return run_witness(witness.dir, "verify", *_source_args(app), *extra)


@pytest.fixture
def witnessed(app, tmp_path):
    """12 events; the witness cosigned sizes 6 and 12 and verified once (so it knows the leaves)."""
    origin = _origin(app)
    build_chain(12)
    witness = new_witness(tmp_path / "w", origin)
    _cosign(witness, origin, 6)
    _cosign(witness, origin, 12)
    result = _verify(app, witness)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"OK" in result.stdout
    return witness


def _edit_time(seq: int) -> None:
    with attacker() as conn:
        conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(occurred_at=TABLE.c.occurred_at))
        row = conn.execute(TABLE.select().where(TABLE.c.seq == seq)).mappings().one()
        from datetime import timedelta

        conn.execute(TABLE.update().where(TABLE.c.seq == seq).values(occurred_at=row["occurred_at"] - timedelta(days=3)))


def _delete_checkpoints() -> None:
    with attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete())


def _rewrite_and_delete_checkpoints() -> None:
    rewrite_from(4)
    _delete_checkpoints()


TAMPERING = {
    "edited payload": (lambda: edit_payload(4), 4),
    "edited time": (lambda: _edit_time(4), 4),
    "inserted": (lambda: insert_forged(4), 4),
    "deleted": (lambda: delete_rows(4), 4),
    "reordered": (lambda: swap(4), 4),
    "truncated tail": (lambda: delete_after(8), 9),
    "full rewrite with recomputed hashes": (lambda: rewrite_from(1), 1),
    "rewrite from the middle": (lambda: rewrite_from(4), 4),
    "rewrite plus deleting every checkpoint row": (_rewrite_and_delete_checkpoints, 4),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_witness_verify_names_the_first_bad_event(app, witnessed, name):
    tamper, position = TAMPERING[name]
    tamper()
    result = _verify(app, witnessed)
    assert result.returncode == 1, result.stdout
    assert f"first bad position: event {position} ".encode() in result.stdout, result.stdout


def test_truncation_after_the_last_cosigned_checkpoint_is_found(app, witnessed):
    origin = _origin(app)
    build_chain(3, start=13)
    _cosign(witnessed, origin, 15)
    delete_after(13)  # events 14 and 15 were only in the newest checkpoint
    result = _verify(app, witnessed)
    assert result.returncode == 1
    assert b"first bad position: event 14 " in result.stdout


def test_a_fork_is_refused_and_found_by_verify(app, witnessed):
    origin = _origin(app)
    rewrite_from(5)  # the operator rewrites history and signs a checkpoint of it with the real key
    db.session.close()
    forked = make_note(origin)
    proof = merkle.consistency_proof(leaves(), 12, 12)
    with pytest.raises(Exception, match="does not verify|422") as refused:
        witnessed.add_checkpoint(format_submission(12, proof, forked))
    assert getattr(refused.value, "status", None) == 422
    result = _verify(app, witnessed)
    assert result.returncode == 1 and b"first bad position: event 5 " in result.stdout


def test_without_remembered_leaves_a_rewrite_is_placed_after_the_last_matching_checkpoint(app, tmp_path):
    origin = _origin(app)
    build_chain(12)
    witness = new_witness(tmp_path / "w", origin)
    _cosign(witness, origin, 6)
    _cosign(witness, origin, 12)
    rewrite_from(8)
    result = _verify(app, witness, "--no-remember")
    assert result.returncode == 1
    assert b"first bad position: event 7 " in result.stdout and b"at or before event 12" in result.stdout


def test_verify_reads_a_csv_export_and_postgres_through_psql(app, witnessed, tmp_path):
    rows = db.session.execute(text(
        "SELECT seq, occurred_at, actor_id, actor_name, actor_role, action, target_type, target_id, case_id, "
        "client_address, payload, prev_hash, hash FROM audit_events ORDER BY seq")).all()
    import csv

    from tracker.witness_program.events import COLUMNS, hash_time

    with open(tmp_path / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            values = list(row)
            values[1] = hash_time(values[1])
            values[10] = values[10] if isinstance(values[10], str) else __import__("json").dumps(
                values[10], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            writer.writerow(["" if v is None else v for v in values])
    result = run_witness(witnessed.dir, "verify", "--csv", str(tmp_path / "events.csv"))
    assert result.returncode == 0, result.stdout + result.stderr
    if db.engine.dialect.name == "postgresql":
        result = run_witness(witnessed.dir, "verify", *_source_args(app), "--psql")
        assert result.returncode == 0, result.stdout + result.stderr
    edit_payload(3)
    assert _verify(app, witnessed).returncode == 1


def test_the_single_file_script_runs_alone(app, witnessed, tmp_path):
    script = tmp_path / "witness.py"
    assert run_witness(witnessed.dir, "script", str(script)).returncode == 0
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-I", str(script), "--dir", str(witnessed.dir), "verify",
                             *_source_args(app)], cwd=tmp_path, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert parse_checkpoint(split_note(witnessed.latest_note(_origin(app)))[0]).size == 12


def _bundle(directory: Path, origin: str, case_id: int = 1) -> Path:
    """A bundle in the exports' format (record.json events, inclusion-proofs.json), built by hand."""
    import json

    from tracker.audit.canonical import format_time
    from tracker.audit.models import AuditEvent

    directory.mkdir(parents=True, exist_ok=True)
    rows = db.session.execute(select_events()).scalars().all()
    all_leaves = leaves()
    events = [{"seq": e.seq, "occurred_at": format_time(e.occurred_at), "actor_id": e.actor_id,
               "actor_name": e.actor_name, "actor_role": e.actor_role, "action": e.action,
               "target_type": e.target_type, "target_id": e.target_id, "case_id": e.case_id,
               "client_address": e.client_address, "payload": e.payload, "prev_hash": e.prev_hash,
               "hash": e.hash, "payload_redacted": False} for e in rows if e.case_id == case_id]
    assert events and isinstance(rows[0], AuditEvent)
    size = len(all_leaves)
    proofs = [{"seq": e["seq"], "leaf_index": e["seq"] - 1,
               "proof": [base64.b64encode(p).decode() for p in merkle.inclusion_proof(all_leaves, e["seq"] - 1, size)]}
              for e in events]
    (directory / "record.json").write_text(json.dumps({"case": {"id": case_id}, "audit": {"events": events}}))
    (directory / "inclusion-proofs.json").write_text(json.dumps(
        {"format": "samverkan-inclusion-proofs/v1", "checkpoint": make_note(origin), "tree_size": size,
         "proofs": proofs}))
    return directory


def select_events():
    from sqlalchemy import select

    from tracker.audit.models import AuditEvent

    return select(AuditEvent).order_by(AuditEvent.seq)


def test_verify_a_bundle_by_inclusion_proofs(app, witnessed, tmp_path):
    import json

    origin = _origin(app)
    bundle = _bundle(tmp_path / "bundle", origin)
    result = run_witness(witnessed.dir, "verify", "--bundle", str(bundle))
    assert result.returncode == 0, result.stdout + result.stderr

    record = json.loads((bundle / "record.json").read_text())
    record["audit"]["events"][1]["payload"] = {"forged": True}
    (bundle / "record.json").write_text(json.dumps(record))
    seq = record["audit"]["events"][1]["seq"]
    result = run_witness(witnessed.dir, "verify", "--bundle", str(bundle))
    assert result.returncode == 1 and f"first bad position: event {seq} ".encode() in result.stdout

    # A bundle of a size this witness never cosigned: proven against the note, but not confirmed.
    build_chain(2, start=13)
    bundle = _bundle(tmp_path / "later", origin)
    assert run_witness(witnessed.dir, "verify", "--bundle", str(bundle)).returncode == 3
    proofs = json.loads((bundle / "inclusion-proofs.json").read_text())
    proofs["proofs"][0]["proof"] = proofs["proofs"][1]["proof"]
    (bundle / "inclusion-proofs.json").write_text(json.dumps(proofs))
    assert run_witness(witnessed.dir, "verify", "--bundle", str(bundle)).returncode == 1
