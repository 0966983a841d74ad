"""The verifier's fast path: the database spells the canonical JSON as Python does (or the row takes
the slow path and still verifies)."""
from __future__ import annotations

from tests.audit import helpers as h
from tracker.audit import verify_rows
from tracker.audit.canonical import canonical_json
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.extensions import db

TRICKY = "".join(chr(i) for i in range(1, 128)) + "\u00e5\u00e4\u00f6\u00a0\u2028\u2029\ufeff\U0001f600"


def test_database_spelling_equals_python_for_every_ascii_character_and_more(app):
    record(None, "test.tricky", ("thing", TRICKY[:60]), {"text": TRICKY, "n": -12, "f": 2.5}, case_id=None)
    record(None, "test.tricky", None, {"k": [None, True, {"z": 1, "a": TRICKY}]}, case_id=7)
    record(None, "test.plain", ("thing", 3), {"name": "Åsa Öberg"}, case_id=2)
    db.session.commit()
    sqlite = h.is_pg() is False
    db.session.close()
    events = {e.seq: e for e in db.session.query(AuditEvent)}
    for seq, text, stored in verify_rows.fast_rows(sqlite, 10):
        event = events[seq]
        fields = {name: getattr(event, name) for name in (
            "seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action",
            "target_type", "target_id", "case_id", "client_address", "payload")}
        spelled = text if isinstance(text, bytes) else text.encode()
        expected = event.prev_hash.encode() + canonical_json(fields)
        # SQLite quotes with json_quote: always exact. PostgreSQL quotes optimistically: exact for
        # strings without quote, backslash or control characters (the others take the slow path).
        if sqlite or event.action == "test.plain":
            assert spelled == expected
        assert stored == event.hash
    assert h._verify_ok()


def test_a_string_replaced_by_its_escaped_spelling_is_modified(app):
    """The fast text must not spell two different stored strings alike: a target id `a"b` changed
    to `a\\"b` (a backslash added) is a different value, even though quoting the new one without
    escaping gives the old one's JSON."""
    record(None, "test.tricky", ("thing", 'a"b\\'), {"n": 1}, case_id=None)
    record(None, "test.plain", ("thing", 3), {"n": 2}, case_id=None)
    db.session.commit()
    with h.attacker() as conn:
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq == 1).values(target_id='a\\"b\\\\'))
    db.session.close()
    from tracker.audit.verify import verify_chain

    result = verify_chain()
    assert (result.ok, result.first_bad_seq, result.kind) == (False, 1, "modified")
