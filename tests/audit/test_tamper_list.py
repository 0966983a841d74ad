"""Issue #16's "Done when" list: each tampering makes `flask audit verify` exit non-zero and name
the first bad position (runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.audit import helpers as h
from tracker.audit import checkpoints as cps
from tracker.audit import tree
from tracker.audit.models import AuditCheckpoint, AuditEvent
from tracker.extensions import db


def _verify(runner, *args: str) -> tuple[int, int | None, str, str]:
    db.session.close()
    out = runner.invoke(args=["audit", "verify", "--no-store", *args])
    found = re.search(r"first bad seq (\d+), kind (\w+)", out.output)
    return out.exit_code, int(found.group(1)) if found else None, found.group(2) if found else "", out.output


def _state_file(tmp_path, checkpoint: AuditCheckpoint):
    """What a witness keeps: the newest checkpoint note (here without its cosignature line)."""
    path = tmp_path / "witness-state.note"
    path.write_text(checkpoint.note, encoding="utf-8")
    return path


@pytest.fixture
def log(app):
    h.build_chain(12)
    h.checkpoint()
    return app


def test_intact_log_verifies(runner, log):
    code, seq, _, output = _verify(runner)
    assert code == 0 and seq is None, output


def test_edited_payload(runner, log):
    h.edit_payload(7)
    assert _verify(runner)[:3] == (1, 7, "modified")


def test_edited_time(runner, log):
    with h.attacker() as conn:
        when = conn.execute(select(h.TABLE.c.occurred_at).where(h.TABLE.c.seq == 5)).scalar_one()
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq == 5).values(occurred_at=when - timedelta(hours=3)))
    assert _verify(runner)[:3] == (1, 5, "modified")


def test_inserted(runner, log):
    h.insert_forged(4)
    assert _verify(runner)[:3] == (1, 4, "inserted")


def test_deleted(runner, log):
    h.delete_rows(6)
    assert _verify(runner)[:3] == (1, 6, "deleted")


def test_reordered(runner, log):
    h.swap(3)
    assert _verify(runner)[:3] == (1, 3, "reordered")


def test_truncated_tail_before_the_checkpoint(runner, log):
    h.delete_after(9, tree_too=True)
    assert _verify(runner)[:3] == (1, 10, "truncated")


def test_truncated_tail_after_the_last_checkpoint(runner, log):
    h.build_chain(4, start=13)  # 13..16 not yet checkpointed
    h.delete_after(14)
    assert _verify(runner)[:3] == (1, 15, "truncated")


def test_truncated_tail_after_the_last_checkpoint_with_the_tree_once_the_interval_passed(runner, log, tmp_path):
    h.build_chain(4, start=13)
    h.shift_time(12, -timedelta(minutes=5))  # hashes now stale: re-hash so only age differs
    h.rewrite_from(13, payload={"i": 13})
    h.rebuild_tree()
    assert runner.invoke(args=["audit", "checkpointer", "--once"]).exit_code == 0
    state = _state_file(tmp_path, cps.latest_checkpoint())
    h.delete_after(14, tree_too=True)
    with h.attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete().where(AuditCheckpoint.__table__.c.seq > 12))
    assert _verify(runner, "--checkpoint", str(state))[:3] == (1, 15, "truncated")


def test_full_rewrite_with_recomputed_hashes(runner, log):
    h.rewrite_from(2)
    assert _verify(runner)[:3] == (1, 2, "rewritten")


def test_full_rewrite_of_events_and_tree(runner, log):
    h.rewrite_from(2)
    h.rebuild_tree()
    code, seq, kind, output = _verify(runner)
    assert (code, seq, kind) == (1, 1, "rewritten") and "suspect range seq 1..12" in output


def test_rewrite_plus_deleting_every_checkpoint_row_is_caught_by_the_witness_state(runner, log, tmp_path):
    state = _state_file(tmp_path, cps.latest_checkpoint())
    h.rewrite_from(5)
    h.rebuild_tree()
    h.delete_checkpoints()
    assert _verify(runner)[0] == 0  # the database alone cannot tell (the events are younger than the interval)
    assert _verify(runner, "--checkpoint", str(state))[:3] == (1, 1, "rewritten")
    # The same file named in the configuration is read without the option.
    runner.app.config["AUDIT_WITNESS_STATE_FILES"] = [str(state)]
    try:
        assert _verify(runner)[:3] == (1, 1, "rewritten")
    finally:
        runner.app.config["AUDIT_WITNESS_STATE_FILES"] = []


def test_rewrite_plus_deleting_checkpoints_keeps_the_stored_tree_then_the_exact_event(runner, log, tmp_path):
    state = _state_file(tmp_path, cps.latest_checkpoint())
    h.rewrite_from(5)
    h.delete_checkpoints()
    code, seq, kind, _ = _verify(runner, "--checkpoint", str(state))
    assert (code, seq) == (1, 5) and kind in ("rewritten", "tree")


def test_fork_two_signed_trees_of_the_same_size(runner, log, tmp_path):
    """The log shows the witness one history and keeps another: both signed by its key."""
    witnessed = _state_file(tmp_path, cps.latest_checkpoint())
    h.rewrite_from(8)
    h.rebuild_tree()
    with h.attacker() as conn:
        conn.execute(AuditCheckpoint.__table__.delete())
    h.checkpoint()  # the operator signs the rewritten tree at the same size
    assert _verify(runner)[0] == 0
    code, seq, kind, _ = _verify(runner, "--checkpoint", str(witnessed))
    assert (code, kind) == (1, "rewritten") and seq == 1


def test_events_older_than_the_interval_without_checkpoint_fail(runner, log):
    h.build_chain(3, start=13)
    assert _verify(runner)[0] == 0
    h.shift_time(12, -timedelta(seconds=61))
    h.rewrite_from(13, payload={"i": 13})  # consistent hashes: only the age of the events differs
    h.rebuild_tree()
    assert _verify(runner)[:3] == (1, 13, "uncovered")


def test_no_checkpoint_in_production_fails(app):
    h.build_chain(2)
    from tracker.audit.verify import verify_chain

    result = verify_chain(production=True)
    assert (result.ok, result.first_bad_seq, result.kind) == (False, 1, "no_checkpoint")


def test_a_note_not_signed_by_the_log_is_refused(runner, log, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tracker.audit import notes

    other = Ed25519PrivateKey.generate()
    body = notes.checkpoint_body(cps.log_origin(), 12, tree.root_at(db.session, 12))
    path = tmp_path / "forged.note"
    path.write_text(notes.sign_note(body, cps.log_origin(), other))
    assert _verify(runner, "--checkpoint", str(path))[:3] == (1, 12, "bad_signature")
    path.write_text("not a note")
    out = runner.invoke(args=["audit", "verify", "--no-store", "--checkpoint", str(path)])
    assert out.exit_code != 0 and "holds no checkpoint" in out.output


def test_tampered_stored_tree_is_named(runner, log):
    with h.attacker() as conn:
        nodes = tree.AuditTreeNode.__table__
        conn.execute(nodes.update().where(nodes.c.level == 0, nodes.c.idx == 9).values(hash=b"\x00" * 32))
        conn.execute(nodes.update().where(nodes.c.level == 2, nodes.c.idx == 2).values(hash=b"\x00" * 32))
    assert _verify(runner)[:3] == (1, 10, "tree")


def test_checkpoint_is_written_by_record_once_the_oldest_uncovered_event_is_due(app):
    app.config["AUDIT_CHECKPOINT_INTERVAL_SECONDS"] = 0
    cps.forget_due_time()
    try:
        h.build_chain(3)
    finally:
        app.config["AUDIT_CHECKPOINT_INTERVAL_SECONDS"] = 60
        cps.forget_due_time()
    latest = cps.latest_checkpoint()
    assert latest is not None and latest.seq == 3 and latest.reason == "interval"
    assert latest.note.startswith(f"{cps.log_origin()}\n3\n")


def test_checkpointer_signs_an_uncovered_head_and_nothing_when_covered(runner, app):
    h.build_chain(2)
    assert runner.invoke(args=["audit", "checkpointer", "--once"]).exit_code == 0
    db.session.close()
    assert db.session.execute(select(AuditCheckpoint.seq)).scalars().all() == [2]
    assert runner.invoke(args=["audit", "checkpointer", "--once"]).exit_code == 0
    db.session.close()
    assert db.session.execute(select(AuditCheckpoint.seq)).scalars().all() == [2]
    assert "no checkpoint due" in runner.invoke(args=["audit", "checkpoint", "--if-due"]).output


def test_stored_tree_matches_the_events(app):
    from tracker.audit import merkle

    h.build_chain(21)
    hashes = db.session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq)).scalars().all()
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in hashes]
    assert tree.tree_size(db.session) == 21
    for size in (1, 2, 7, 8, 21):
        assert tree.root_at(db.session, size) == merkle.root_of(leaves[:size])
    for index in (0, 5, 20):
        proof = tree.inclusion_proof(db.session, index, 21)
        assert proof == merkle.inclusion_proof_of(leaves, index, 21)
        assert merkle.verify_inclusion(leaves[index], index, 21, proof, merkle.root_of(leaves))
    proof = tree.consistency_proof(db.session, 6, 21)
    assert merkle.verify_consistency(6, 21, merkle.root_of(leaves[:6]), merkle.root_of(leaves), proof)
    with pytest.raises(tree.TreeIncomplete):
        tree.root_at(db.session, 22)


def test_a_record_bundle_zip_and_a_comma_separated_setting_are_read(runner, log, tmp_path):
    import json
    import zipfile

    bundle = tmp_path / "record.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("checkpoints.json", json.dumps(cps.export_bundle()))
    state = _state_file(tmp_path, cps.latest_checkpoint())
    h.delete_after(9, tree_too=True)
    h.delete_checkpoints()
    assert _verify(runner, "--checkpoint", str(bundle))[:3] == (1, 10, "truncated")
    runner.app.config["AUDIT_WITNESS_STATE_FILES"] = f"{tmp_path / 'missing.note'},{state}"
    try:
        code, seq, kind, output = _verify(runner)
    finally:
        runner.app.config["AUDIT_WITNESS_STATE_FILES"] = []
    assert (code, seq, kind) == (1, 10, "truncated") and "does not exist" in output
