"""A case with 10,000 audit events: the PDF is laid out in page-sized chunks (about 15 s here; speed
itself is not asserted, see bench/)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from tests.exports.conftest import pdf_pages, pdf_text
from tracker.audit.canonical import canonical_json, chain_hash
from tracker.audit.chain import current_head
from tracker.audit.models import AuditEvent
from tracker.exports import services
from tracker.extensions import db
from tracker.timeutil import utcnow

EVENTS = 10_000


def append_events(case, actor, count: int) -> None:
    """Append a valid stretch of chain quickly (bulk insert, hashes computed as record() does)."""
    seq, prev = current_head()
    start = utcnow() - timedelta(days=30)
    rows = []
    for i in range(count):
        seq += 1
        fields = {"seq": seq, "occurred_at": start + timedelta(seconds=i), "actor_id": actor.id,
                  "actor_name": actor.name, "actor_role": "hr_officer", "action": "stage.updated",
                  "target_type": "cases", "target_id": str(case.id), "case_id": case.id, "client_address": None,
                  "payload": {"stage": "grounds", "field": "reasons", "length": i % 500, "note": f"ändring {i}"}}
        digest = chain_hash(prev, canonical_json(fields))
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    for offset in range(0, len(rows), 2000):
        db.session.execute(insert(AuditEvent), rows[offset:offset + 2000])
    db.session.commit()


def test_ten_thousand_events_lay_out_in_page_sized_chunks(setup, tmp_path):
    case, auditor = setup["case"], setup["auditor"]
    append_events(case, setup["hr"], EVENTS)
    result = services.export_pdf(case, auditor)
    db.session.commit()
    pages = pdf_pages(result.data, tmp_path)
    assert 10_000 / 60 < pages < 10_000 / 25  # 25-60 events a page
    text = pdf_text(result.data, tmp_path)
    assert f"sida {pages} av {pages}" in text
    assert "ändring 9999" in text
