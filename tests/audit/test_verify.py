"""The verifier: an intact chain passes; each kind of tampering is named with its seq."""
from __future__ import annotations

import pytest

from tests.audit import helpers as h
from tracker.audit.models import AuditEvent
from tracker.audit.verify import verify_chain
from tracker.extensions import db


def _verify():
    db.session.close()
    return verify_chain()


def test_empty_chain_is_intact(app):
    result = verify_chain()
    assert result.ok and result.events_checked == 0 and result.head_seq == 0


def test_intact_chain_with_checkpoint(app):
    h.build_chain(12)
    h.checkpoint()
    result = _verify()
    assert result.ok, result.message
    assert result.events_checked == 12 and result.head_seq == 12
    assert result.last_checkpoint["seq"] == 12
    assert result.first_bad_seq is None and result.kind is None


def test_chain_without_checkpoint_warns(app):
    h.build_chain(3)
    result = _verify()
    assert result.ok and any("checkpoint" in w for w in result.warnings)


def test_seq_starts_at_one_and_links_from_genesis(app):
    h.build_chain(3)
    events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash


def test_edited_payload_is_modified(app):
    h.build_chain(10)
    h.checkpoint()
    h.edit_payload(6)
    result = _verify()
    assert not result.ok
    assert (result.first_bad_seq, result.kind) == (6, "modified")


def test_edited_and_rehashed_event_is_modified_at_that_seq(app):
    h.build_chain(10)
    with h.attacker() as conn:
        row = dict(h._row(conn, 4))
        row["payload"] = {"forged": True}
        from tracker.audit.canonical import canonical_json, chain_hash

        new_hash = chain_hash(row["prev_hash"], canonical_json(row))
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq == 4).values(payload=row["payload"], hash=new_hash))
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (4, "modified")


def test_deleted_middle_row(app):
    h.build_chain(10)
    h.checkpoint()
    h.delete_rows(5)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (5, "deleted")


def test_deleted_row_with_renumbering_is_still_deleted(app):
    h.build_chain(10)
    with h.attacker() as conn:
        conn.execute(h.TABLE.delete().where(h.TABLE.c.seq == 5))
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq > 5).values(seq=h.TABLE.c.seq - 1))
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (5, "deleted")


def test_first_row_deleted(app):
    h.build_chain(4)
    h.delete_rows(1)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (1, "deleted")


def test_swapped_rows_are_reordered(app):
    h.build_chain(10)
    h.checkpoint()
    h.swap(4)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (4, "reordered")


def test_truncated_after_checkpoint(app):
    h.build_chain(10)
    h.checkpoint()
    h.delete_after(7)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (8, "truncated")
    assert result.suspect_range == (8, 10)


def test_truncated_without_checkpoint_is_seen_in_the_stored_tree(app):
    h.build_chain(10)
    h.delete_after(7)
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.kind) == (False, 8, "truncated")


def test_truncated_with_the_tree_within_the_interval_is_not_detectable(app):
    """Documented limit: the newest events, younger than the checkpoint interval, can go unnoticed
    when the attacker also removes their tree nodes; a checkpoint (and a witness) covers them later."""
    h.build_chain(10)
    h.delete_after(7, tree_too=True)
    result = _verify()
    assert result.ok and result.warnings


def test_whole_chain_recomputed_without_key_is_rewritten(app):
    h.build_chain(10)
    h.checkpoint()
    h.rewrite_from(3)
    result = _verify()
    # The stored tree still matches the signed root, so the first rewritten event is found.
    assert (result.first_bad_seq, result.kind) == (3, "rewritten")
    assert result.suspect_range == (1, 10)


def test_rewrite_with_a_rebuilt_tree_names_the_start_of_the_suspect_range(app):
    h.build_chain(10)
    h.checkpoint()
    h.rewrite_from(3)
    h.rebuild_tree()
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (1, "rewritten")
    assert result.suspect_range == (1, 10)


def test_rewrite_is_narrowed_by_earlier_checkpoints(app):
    h.build_chain(10)
    h.checkpoint()
    h.build_chain(10, start=11)
    h.checkpoint()
    h.build_chain(5, start=21)
    h.rewrite_from(14)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (14, "rewritten")
    assert result.suspect_range == (11, 20)


def test_inserted_row(app):
    h.build_chain(10)
    h.checkpoint()
    h.insert_forged(6)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (6, "inserted")


def test_forged_row_appended_at_head(app):
    h.build_chain(5)
    h.insert_forged(6)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (6, "inserted")


def test_bad_checkpoint_signature(app):
    h.build_chain(6)
    h.checkpoint()
    h.forge_checkpoint_signature(6)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (6, "bad_signature")


def test_checkpoint_from_an_unknown_key_is_a_bad_signature(app):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tracker.audit.checkpoints import key_id_of

    h.build_chain(3)
    h.checkpoint()
    other = Ed25519PrivateKey.generate().public_key()
    result = verify_chain(public_keys={key_id_of(other): other})
    assert (result.first_bad_seq, result.kind) == (3, "bad_signature")
    assert "unknown key" in result.message


def test_earliest_problem_wins(app):
    h.build_chain(10)
    h.checkpoint()
    h.edit_payload(8)
    h.delete_rows(3)
    result = _verify()
    assert (result.first_bad_seq, result.kind) == (3, "deleted")


def test_case_report(app):
    h.build_chain(9)  # case_id = i % 3 or None: events 1,4,7 -> case 1
    h.checkpoint()
    result = verify_chain(case_id=1)
    assert result.ok and result.case_events == 3
    assert (result.case_first_seq, result.case_last_seq) == (1, 7)
    h.edit_payload(5)
    result = verify_chain(case_id=1)
    assert not result.ok and result.case_affected and result.case_events == 3
    result = verify_chain(case_id=2)  # events 2, 5, 8
    assert result.case_affected


def test_verifies_a_long_bulk_inserted_chain(app):
    """A 20,000-event chain written outside record() verifies in one streaming walk.
    Speed is measured in bench/ (m_verify), not here."""
    from tracker.audit.canonical import canonical_json, chain_hash
    from tracker.timeutil import utcnow

    n, prev, rows, now = 20000, "0" * 64, [], utcnow()
    for i in range(1, n + 1):
        row = dict(seq=i, occurred_at=now, actor_id=i % 7, actor_name="Åsa", actor_role="hr_officer",
                   action="case.updated", target_type="cases", target_id=str(i), case_id=i % 40,
                   client_address="127.0.0.1", payload={"i": i, "field": "title"})
        row["prev_hash"] = prev
        row["hash"] = prev = chain_hash(prev, canonical_json(row))
        rows.append(row)
    with h.attacker() as conn:
        conn.execute(h.TABLE.insert(), rows)
    result = verify_chain()
    assert result.ok and result.events_checked == n
    assert result.head_seq == n and result.head_hash == prev


def _store_payload_text(seq: int, payload_text: str) -> None:
    from sqlalchemy import text

    with h.attacker() as conn:
        cast = "CAST(:t AS json)" if h.is_pg() else ":t"
        conn.execute(text(f"UPDATE audit_events SET payload = {cast} WHERE seq = :s"), {"t": payload_text, "s": seq})


def test_payload_stored_in_canonical_spelling_is_hashed_as_read(app):
    import json

    from sqlalchemy import Text, cast, select

    from tracker.audit.canonical import _dumps

    h.build_chain(3)
    db.session.close()
    stored = db.session.execute(select(cast(AuditEvent.payload, Text)).where(AuditEvent.seq == 2)).scalar_one()
    assert stored == _dumps(json.loads(stored))  # sorted keys, no spaces, UTF-8 as is


def test_the_same_payload_in_another_spelling_still_verifies(app):
    import json

    from sqlalchemy import Text, cast, select

    h.build_chain(8)
    db.session.close()
    stored = db.session.execute(select(cast(AuditEvent.payload, Text)).where(AuditEvent.seq == 5)).scalar_one()
    # Keys reversed, spaces added: what an older writer or a JSON-preserving copy may hold.
    respelled = json.dumps(dict(reversed(list(json.loads(stored).items()))), indent=1, ensure_ascii=True)
    assert respelled != stored
    _store_payload_text(5, respelled)
    result = _verify()
    assert result.ok, result.message


def _assert_event_5_modified_when_its_payload_reads(payload_text: str) -> None:
    h.build_chain(8)
    _store_payload_text(5, payload_text)
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.kind) == (False, 5, "modified")


@pytest.mark.parametrize("payload_text", ['{"forged": true}', '{"forged":true}', "[]", "null"])
def test_a_payload_changed_to_anything_else_is_modified(app, payload_text):
    _assert_event_5_modified_when_its_payload_reads(payload_text)


@pytest.mark.sqlite
@pytest.mark.parametrize("payload_text", ['{"note":"x"},"seq":5', "not json", ""])
def test_a_payload_that_is_not_json_is_modified(app, payload_text):
    # SQLite keeps any text in the column (a PostgreSQL json column refuses it).
    _assert_event_5_modified_when_its_payload_reads(payload_text)


@pytest.mark.sqlite
def test_a_link_break_next_to_a_payload_that_is_not_json_is_still_classified(app):
    h.build_chain(8)
    _store_payload_text(5, "not json")
    with h.attacker() as conn:
        conn.execute(h.TABLE.update().where(h.TABLE.c.seq == 5).values(prev_hash="f" * 64))
    result = _verify()
    assert (result.ok, result.first_bad_seq) == (False, 5)
