"""The demo database verifies cleanly; the audit guard catches unaudited writes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.audit_guard import UnauditedWrite
from tracker.audit.models import AuditCheckpoint, AuditEvent, AuditVerification
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.auth.models import Organisation
from tracker.extensions import db


def test_demo_ends_with_a_checkpoint_and_verifies(app, runner):
    from tracker.demo import load_demo

    load_demo()
    head = db.session.execute(select(func.max(AuditEvent.seq))).scalar_one()
    checkpoint = db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).scalars().first()
    assert checkpoint is not None and checkpoint.seq == head and checkpoint.reason == "demo"
    assert db.session.execute(select(AuditVerification.ok)).scalars().all()[-1] is True
    db.session.close()
    result = verify_chain()
    assert result.ok, result.message
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output


def test_guard_rejects_an_unaudited_write(app):
    db.session.add(Organisation(name="Utan logg"))
    with pytest.raises(UnauditedWrite):
        db.session.commit()
    db.session.rollback()


def test_guard_accepts_a_write_with_its_event(app):
    org = Organisation(name="Med logg")
    db.session.add(org)
    db.session.flush()
    record(None, "organisation.created", org, {"name": org.name})
    db.session.commit()
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == 1


def test_guard_ignores_bookkeeping_tables(app):
    from tracker.audit.checkpoints import write_checkpoint

    write_checkpoint(None)
    db.session.commit()


def test_record_snapshots_actor_and_request_address(app, factory):
    user = factory.user("union_rep", name="Ulla Nieminen")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        event = record(user, "comment.added", ("comment", 5), {"n": 1.0, "big": 2**60, "f": 0.5}, case_id=3)
    db.session.commit()
    assert (event.actor_id, event.actor_name, event.actor_role) == (user.id, "Ulla Nieminen", "union_rep")
    assert event.client_address == "192.0.2.7"
    assert (event.target_type, event.target_id, event.case_id) == ("comment", "5", 3)
    assert event.payload == {"n": 1, "big": str(2**60), "f": 0.5}
    db.session.expire_all()
    assert verify_chain().ok


def test_case_target_sets_case_id(app, factory):
    case = factory.case()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "case.opened")).scalar_one()
    assert event.case_id == case.id
