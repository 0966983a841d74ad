"""Migration 0005 converts existing notifications: their Swedish text is dropped, their parameters
recovered where the records allow, and old stage-change cards are marked read and done."""
from __future__ import annotations

import json

from sqlalchemy import inspect, text

from tests.conftest import make_test_config
from tests.test_migrations import fresh_database_url  # noqa: F401 - the fixture
from tracker import create_app
from tracker.extensions import db

NOW = "2026-11-30 09:00:00+00:00"

SETUP = [
    "INSERT INTO organisations (id, name, kind, created_at) VALUES (1, 'Exempelstad', 'employer', :now)",
    "INSERT INTO users (id, email, name, organisation_id, password_hash, active, session_token, created_at) "
    "VALUES (1, 'u@example.org', 'Ulla', 1, 'x', :t, 'tok1', :now)",
    "INSERT INTO cases (id, diary_number, title, description, change_kind, staff_affected, may_reduce_staff, is_large, "
    "decision_body, profile_code, profile_version, responsible_hr_id, status, current_stage, non_compliance, "
    "created_at, updated_at) VALUES (1, 'SAM-2026-0001', 'Köket', '', 'other', 0, :f, :f, '', 'se-mbl', '1', 1, "
    "'active', 'closing', :f, :now, :now)",
    "INSERT INTO steering_members (id, case_id, user_id, party, role, units, joined_at) "
    "VALUES (1, 1, 1, 'personnel', 'signatory', '[]', :now)",
    "INSERT INTO meetings (id, case_id, title, starts_at, ends_at, place, link, stages, created_at, sequence, "
    "cancel_reason) VALUES (1, 1, 'Avslutande möte', :now, :now, '', '', '[]', :now, 0, '')",
    "INSERT INTO minutes (id, meeting_id, case_id, status, created_at) VALUES (1, 1, 1, 'awaiting_approval', :now)",
    "INSERT INTO minutes_versions (id, minutes_id, number, body, sha256, author_id, created_at) "
    "VALUES (7, 1, 2, 'Protokoll', 'abc', 1, :now)",
]

ROWS = [  # id, kind, case_id, text, dedup_key
    (1, "member_added", 1, "Du har lagts till ... som justerare.", None),
    (2, "minutes_awaiting_approval", 1, "Protokollet ... väntar på din justering.", "minutes:7:1"),
    (3, "deadline_soon", 1, "Sista dag ...", "deadline:1:1:central_negotiation_window:2026-12-03"),
    (4, "stage_changed", 1, "Skedet Grunder ... har påbörjats.", None),
    (5, "role_granted", None, "Adam gav ...", None),
]


def test_existing_notifications_are_converted(fresh_database_url, tmp_path):  # noqa: F811
    app = create_app(make_test_config(fresh_database_url, tmp_path))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0004_merkle_tree"]).exit_code == 0
    with app.app_context():
        try:
            with db.engine.begin() as conn:
                for statement in SETUP:
                    conn.execute(text(statement), {"now": NOW, "t": True, "f": False})
                for nid, kind, case_id, body, key in ROWS:
                    conn.execute(text(
                        "INSERT INTO notifications (id, user_id, kind, case_id, text, url, created_at, dedup_key, "
                        "mail_state, mail_attempts) VALUES (:id, 1, :kind, :case, :text, '', :now, :key, 'off', 0)"),
                        {"id": nid, "kind": kind, "case": case_id, "text": body, "now": NOW, "key": key})
        finally:
            db.engine.dispose()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.app_context():
        try:
            columns = {c["name"] for c in inspect(db.engine).get_columns("notifications")}
            assert "text" not in columns and {"params", "task_key", "resolved_at"} <= columns
            with db.engine.connect() as conn:
                rows = {r.id: r for r in conn.execute(text(
                    "SELECT id, params, task_key, read_at, resolved_at FROM notifications"))}
        finally:
            db.engine.dispose()

    def params(nid):
        value = rows[nid].params
        return json.loads(value) if isinstance(value, str) else value

    case = {"case": "SAM-2026-0001", "title": "Köket"}
    assert params(1) == {**case, "role": "signatory"}
    assert params(2) == {**case, "meeting": "Avslutande möte", "n": 2} and rows[2].task_key == "minutes:7"
    assert params(3) == {**case, "deadline": "central_negotiation_window", "due": "2026-12-03"}
    assert rows[3].task_key == "deadline:1:central_negotiation_window:2026-12-03"
    assert params(4) == case and rows[4].read_at is not None and rows[4].resolved_at is not None
    assert params(5) == {} and rows[5].resolved_at is None
