"""The app's witness client against a real witness process: cosignatures stored after the commit,
a 409 answered with the proof from the witness's size, refusals and unreachable witnesses alerted."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from tests.audit.helpers import build_chain
from tests.witness.support import make_note, new_witness, serving
from tracker.audit.chain import current_head
from tracker.audit.cosigners import head_cosigners
from tracker.audit.models import AuditCheckpoint, AuditCosignature
from tracker.audit.witness_client import submit_checkpoint
from tracker.audit.witness_config import log_origin, parse_witnesses
from tracker.extensions import db
from tracker.notifications.labels import message
from tracker.notifications.models import Notification, NotificationKind
from tracker.signals import checkpoint_written
from tracker.timeutil import utcnow
from tracker.unit_of_work import unit_of_work
from tracker.witness_program.merkle import consistency_proof
from tracker.witness_program.state import format_submission

pytestmark = pytest.mark.commits


def _checkpoint(note: str) -> AuditCheckpoint:
    seq, head = current_head()
    checkpoint = AuditCheckpoint(seq=seq, head_hash=head, signed_at=utcnow(), key_id="test", signature="test",
                                 reason="test")
    db.session.add(checkpoint)
    db.session.flush()
    checkpoint.note = note  # type: ignore[attr-defined]  # the column the merkle helper adds
    return checkpoint


def _configure(app, monkeypatch, url: str, witness) -> None:
    monkeypatch.setitem(app.config, "AUDIT_WITNESSES", [{"url": url, "key": witness.verifier().vkey}])


def test_a_written_checkpoint_is_cosigned_after_the_commit(app, tmp_path, monkeypatch):
    origin = log_origin(app.config)
    build_chain(5)
    witness = new_witness(tmp_path / "w", origin)
    with serving(witness.dir) as url:
        _configure(app, monkeypatch, url, witness)
        with unit_of_work():
            checkpoint = _checkpoint(make_note(origin))
            checkpoint_written.send(app, checkpoint=checkpoint)
            assert db.session.execute(select(AuditCosignature)).first() is None  # not before the commit
        rows = db.session.execute(select(AuditCosignature)).scalars().all()
        assert [(r.witness_name, r.tree_size, r.checkpoint_id) for r in rows] == [
            ("witness.example/union", 5, checkpoint.id)]
        [cosigner] = head_cosigners()
        assert cosigner.covers_head and cosigner.cosigned_at is not None

        build_chain(3, start=6)
        with unit_of_work():
            checkpoint_written.send(app, checkpoint=_checkpoint(make_note(origin)))
        assert witness.latest(origin).size == 8
        assert head_cosigners()[0].tree_size == 8


def test_a_conflict_is_answered_with_the_proof_from_the_witness_size(app, tmp_path, monkeypatch):
    origin = log_origin(app.config)
    build_chain(4)
    witness = new_witness(tmp_path / "w", origin)
    witness.add_checkpoint(format_submission(0, [], make_note(origin)))  # fed by file: the app does not know
    build_chain(5, start=5)
    with serving(witness.dir) as url:
        _configure(app, monkeypatch, url, witness)
        with unit_of_work():
            [outcome] = submit_checkpoint(make_note(origin))
    assert outcome.ok, outcome
    assert witness.latest(origin).size == 9
    assert not db.session.execute(select(Notification)).first()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_or_refusing_witness_alerts_auditors_and_admins(app, tmp_path, monkeypatch, factory):
    origin = log_origin(app.config)
    auditor, admin = factory.user("auditor"), factory.user("admin")
    factory.user("hr_officer")
    db.session.commit()
    build_chain(3)
    witness = new_witness(tmp_path / "w", origin)
    monkeypatch.setitem(app.config, "AUDIT_WITNESSES",
                        [{"url": f"http://127.0.0.1:{_free_port()}", "key": witness.verifier().vkey}])
    with unit_of_work():
        [outcome] = submit_checkpoint(make_note(origin))
    assert (outcome.ok, outcome.problem) == (False, "unreachable")
    alerts = db.session.execute(select(Notification).where(Notification.kind == NotificationKind.WITNESS_PROBLEM)
                                ).scalars().all()
    assert sorted(n.user_id for n in alerts) == sorted([auditor.id, admin.id])
    assert "witness.example/union" in message(alerts[0].kind, alerts[0].params)
    assert alerts[0].params["problem"] == "unreachable"

    # A witness that does not trust this log's key refuses (403); the fork evidence is the witness's.
    other = new_witness(tmp_path / "other", "unrelated.example/log", name="witness.example/auditor")
    with serving(other.dir) as url:
        monkeypatch.setitem(app.config, "AUDIT_WITNESSES", [{"url": url, "key": other.verifier().vkey}])
        with unit_of_work():
            [outcome] = submit_checkpoint(make_note(origin))
    assert (outcome.ok, outcome.problem) == (False, "refused") and "404" in outcome.detail
    assert db.session.execute(select(AuditCosignature)).first() is None


def test_a_witness_ahead_of_the_database_is_a_truncation_alert(app, tmp_path, monkeypatch, factory):
    origin = log_origin(app.config)
    factory.user("auditor")
    db.session.commit()
    build_chain(6)
    witness = new_witness(tmp_path / "w", origin)
    witness.add_checkpoint(format_submission(0, [], make_note(origin)))
    from tests.audit.helpers import delete_after

    delete_after(3)
    db.session.close()
    with serving(witness.dir) as url:
        _configure(app, monkeypatch, url, witness)
        with unit_of_work():
            [outcome] = submit_checkpoint(make_note(origin))
    assert outcome.problem == "ahead"


def test_audit_witnesses_setting_is_parsed_or_refused(tmp_path):
    from tracker.witness_program.state import Witness

    witness = Witness.init(tmp_path / "w", "w.example/one")
    vkey = witness.verifier().vkey
    [one] = parse_witnesses(f"https://w.example/ {vkey}")
    assert (one.name, one.url) == ("w.example/one", "https://w.example/add-checkpoint")
    assert parse_witnesses(f'[{{"url": "http://127.0.0.1:1", "key": "{vkey}"}}]')[0].name == "w.example/one"
    for bad in ("https://w.example/", f"ftp://x {vkey}", "https://w.example/ not+a+key",
                f"https://a/ {vkey};https://b/ {vkey}"):
        with pytest.raises(ValueError):
            parse_witnesses(bad)
    assert consistency_proof([b"x" * 32] * 3, 3, 3) == []


def test_the_file_route_for_a_witness_without_network(app, tmp_path, monkeypatch, runner):
    from types import SimpleNamespace

    from tests.witness.support import run_witness
    from tracker.audit import checkpoints

    origin = log_origin(app.config)
    build_chain(4)
    witness = new_witness(tmp_path / "w", origin)
    _configure(app, monkeypatch, "http://127.0.0.1:1", witness)
    note = make_note(origin)
    # The newest stored checkpoint's note (the merkle helper's AuditCheckpoint.note column).
    monkeypatch.setattr(checkpoints, "latest_checkpoint", lambda *a: SimpleNamespace(note=note, id=None), raising=False)
    result = runner.invoke(args=["audit", "witness-file", "--witness", witness.name, "--output", str(tmp_path / "f")])
    assert result.exit_code == 0, result.output
    assert run_witness(witness.dir, "add", "--file", str(tmp_path / "f"), "--out", str(tmp_path / "c")).returncode == 0
    result = runner.invoke(args=["audit", "witness-cosignature", "--witness", witness.name, str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert head_cosigners()[0].tree_size == 4
    (tmp_path / "c").write_text("\u2014 witness.example/union AAAA\n")
    result = runner.invoke(args=["audit", "witness-cosignature", "--witness", witness.name, str(tmp_path / "c")])
    assert result.exit_code != 0 and "no valid cosignature" in result.output


def test_in_production_the_submission_runs_off_the_committing_thread(app, tmp_path, monkeypatch):
    import time

    origin = log_origin(app.config)
    build_chain(3)
    witness = new_witness(tmp_path / "w", origin)
    with serving(witness.dir) as url:
        _configure(app, monkeypatch, url, witness)
        monkeypatch.setitem(app.config, "AUDIT_WITNESS_BACKGROUND", True)
        with app.test_request_context("/"), unit_of_work():  # as inside a user's request
            checkpoint_written.send(app, checkpoint=_checkpoint(make_note(origin)))
        deadline = time.monotonic() + 20
        while witness.latest(origin) is None or not db.session.execute(select(AuditCosignature)).first():
            db.session.rollback()
            assert time.monotonic() < deadline, "the background submission did not arrive"
            time.sleep(0.1)
    assert db.session.execute(select(AuditCosignature.tree_size)).scalar_one() == 3
