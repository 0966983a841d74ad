"""Signing keys, checkpoints (manual, automatic, before exports) and the CLI."""
from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from tests.audit import helpers as h
from tests.conftest import make_test_config
from tracker import create_app
from tracker.audit import checkpoints as cps
from tracker.audit.models import AuditCheckpoint, AuditEvent, AuditVerification
from tracker.extensions import db


def test_keygen_writes_private_0600_and_public(runner, tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    result = runner.invoke(args=["audit", "keygen", "--path", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    public = cps.load_public_key_file(str(path) + ".pub")
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert cps.key_id_of(public) == hashlib.sha256(raw).hexdigest()[:16]
    assert cps.key_id_of(public) in result.output
    again = runner.invoke(args=["audit", "keygen", "--path", str(path)])
    assert again.exit_code != 0 and "exists" in again.output
    assert runner.invoke(args=["audit", "keygen", "--path", str(path), "--force"]).exit_code == 0


def test_key_created_on_first_use_in_tests(app):
    path = app.config["AUDIT_SIGNING_KEY_PATH"]
    assert not os.path.exists(path)
    h.build_chain(2)
    cp = h.checkpoint()
    assert os.path.exists(path) and os.path.exists(path + ".pub")
    assert (cp.seq, cp.head_hash) == (2, db.session.execute(select(AuditEvent.hash).where(AuditEvent.seq == 2)).scalar_one())
    assert cp.key_id in cps.configured_public_keys()
    assert cps.signature_valid(cp, cps.configured_public_keys())


def test_production_never_creates_a_key(database_url, tmp_path):
    from config import ProductionConfig

    config = make_test_config(database_url, tmp_path, ENV_NAME="production", TESTING=False)
    app = create_app(config)
    with app.app_context():
        assert ProductionConfig.ENV_NAME == "production"
        with pytest.raises(cps.SigningKeyMissing):
            cps.load_private_key()
        assert not os.path.exists(config["AUDIT_SIGNING_KEY_PATH"])
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("app", [{"AUDIT_CHECKPOINT_EVERY": 5}], indirect=True)
def test_automatic_checkpoint_every_n_events(app):
    h.build_chain(12)
    seqs = db.session.execute(select(AuditCheckpoint.seq, AuditCheckpoint.reason).order_by(AuditCheckpoint.seq)).all()
    assert seqs == [(5, "automatic"), (10, "automatic")]
    assert h._verify_ok()


def test_automatic_checkpoint_off_by_default_in_tests(app):
    h.build_chain(6)
    assert db.session.execute(select(func.count(AuditCheckpoint.id))).scalar_one() == 0


def test_write_checkpoint_is_not_an_audit_event(app):
    h.build_chain(3)
    cps.write_checkpoint(None, reason="export")
    db.session.commit()
    assert db.session.execute(select(func.max(AuditEvent.seq))).scalar_one() == 3


def test_checkpoint_of_empty_chain(app):
    cp = h.checkpoint()
    assert (cp.seq, cp.head_hash) == (0, "0" * 64)
    assert h._verify_ok()


def test_export_bundle_verifies_offline(app):
    import base64

    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    h.build_chain(4)
    h.checkpoint()
    bundle = json.loads(json.dumps(cps.export_bundle()))
    (key_entry,) = bundle["public_keys"]
    public = load_pem_public_key(key_entry["pem"].encode())
    (cp,) = bundle["checkpoints"]
    # A C2SP checkpoint note: the Ed25519 signature covers the body (origin, size, root).
    body, _, signature_line = cp["note"].partition("\n\n")
    assert body.split("\n")[1:3] == ["4", cp["root"]]
    raw = base64.b64decode(signature_line.rsplit(" ", 1)[1])
    public.verify(raw[4:], (body + "\n").encode())  # raises if invalid
    public.verify(base64.b64decode(cp["signature"]), (body + "\n").encode())
    assert cp["key_id"] == key_entry["key_id"]


def test_cli_checkpoint_and_verify_ok(runner, app):
    h.build_chain(5)
    out = runner.invoke(args=["audit", "checkpoint"])
    assert out.exit_code == 0 and "seq 5" in out.output
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output
    assert "events checked: 5" in out.output and "head: seq 5" in out.output
    assert "last checkpoint: seq 5" in out.output and "OK" in out.output
    stored = db.session.execute(select(AuditVerification)).scalar_one()
    assert stored.ok and stored.source == "cli" and stored.events_checked == 5


def test_cli_verify_names_seq_and_kind(runner, app):
    h.build_chain(8)
    runner.invoke(args=["audit", "checkpoint"])
    h.delete_rows(4)
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 1
    assert "first bad seq 4, kind deleted" in out.output
    stored = db.session.execute(select(AuditVerification)).scalar_one()
    assert not stored.ok and stored.kind == "deleted" and stored.first_bad_seq == 4


def test_cli_verify_json_and_external_public_key(runner, app, tmp_path):
    h.build_chain(3)
    runner.invoke(args=["audit", "checkpoint"])
    pub = app.config["AUDIT_SIGNING_KEY_PATH"] + ".pub"
    out = runner.invoke(args=["audit", "verify", "--json", "--no-store", "--public-key", pub])
    assert out.exit_code == 0
    assert json.loads(out.output)["ok"] is True
    other = tmp_path / "other.pem"
    cps.generate_keypair(other)
    out = runner.invoke(args=["audit", "verify", "--public-key", str(other) + ".pub"])
    assert out.exit_code == 1 and "bad_signature" in out.output


def test_cli_verify_case(runner, app, factory):
    case = factory.case()
    h.build_chain(2, case_id=case.id)
    runner.invoke(args=["audit", "checkpoint"])
    out = runner.invoke(args=["audit", "verify", "--case", case.diary_number])
    assert out.exit_code == 0, out.output
    count = db.session.execute(select(func.count(AuditEvent.id)).where(AuditEvent.case_id == case.id)).scalar_one()
    assert f"case {case.diary_number}: {count} events" in out.output
    out = runner.invoke(args=["audit", "verify", "--case", "SAM-1999-9999"])
    assert out.exit_code != 0 and "no case" in out.output


def test_cli_export_checkpoints(runner, app, tmp_path):
    h.build_chain(2)
    runner.invoke(args=["audit", "checkpoint"])
    target = tmp_path / "bundle.json"
    out = runner.invoke(args=["audit", "export-checkpoints", "--output", str(target)])
    assert out.exit_code == 0
    bundle = json.loads(target.read_text())
    assert bundle["checkpoints"][0]["seq"] == 2 and bundle["public_keys"]


def test_external_checkpoint_copy_detects_truncation_after_checkpoints_are_deleted(runner, app, tmp_path):
    h.build_chain(6)
    runner.invoke(args=["audit", "checkpoint"])
    bundle = tmp_path / "bundle.json"
    runner.invoke(args=["audit", "export-checkpoints", "--output", str(bundle)])
    h.delete_after(4, tree_too=True)
    with h.attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete())
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # undetectable from the DB alone
    out = runner.invoke(args=["audit", "verify", "--checkpoints", str(bundle)])
    assert out.exit_code == 1 and "first bad seq 5, kind truncated" in out.output
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    out = runner.invoke(args=["audit", "verify", "--checkpoints", str(bad)])
    assert out.exit_code != 0 and "holds no checkpoint" in out.output


def test_key_rotation_keeps_old_checkpoints_verifiable(runner, app):
    h.build_chain(3)
    first = h.checkpoint()
    path = app.config["AUDIT_SIGNING_KEY_PATH"]
    out = runner.invoke(args=["audit", "keygen", "--force"])
    assert out.exit_code == 0, out.output
    assert os.path.exists(f"{path}.pub.{first.key_id}")
    h.build_chain(2, start=4)
    second = h.checkpoint()
    assert second.key_id != first.key_id
    assert set(cps.configured_public_keys()) == {first.key_id, second.key_id}
    assert h._verify_ok()


def test_the_head_and_the_next_appends_siblings_come_in_one_query_and_match_the_tree(app, count_queries):
    """record() reads the chain's head and the stored subtrees the next leaf combines with in one
    statement; at every size they are exactly the nodes `_left_siblings` names, and the tree it
    builds has the root recomputed from the events."""
    from tracker.audit import merkle, tree
    from tracker.audit.models import AuditEvent
    from tracker.audit.service import record

    assert tree.head_and_siblings(db.session) == (0, None, {})
    for n in range(1, 40):
        record(None, "case.forged", ("case", n), {"n": n})
        with count_queries() as statements:
            seq, head, siblings = tree.head_and_siblings(db.session)
        assert len(statements) == 1
        last = db.session.query(AuditEvent).order_by(AuditEvent.seq.desc()).first()
        assert (seq, head) == (n, last.hash)
        wanted = tree._left_siblings(n)
        assert siblings == tree.node_hashes(db.session, wanted) and set(siblings) == set(wanted)
    leaves = [bytes.fromhex(e.hash) for e in db.session.query(AuditEvent).order_by(AuditEvent.seq)]
    assert tree.root_at(db.session, len(leaves)) == merkle.root_of([merkle.leaf_hash(x) for x in leaves])
