"""The audit page and the exports show which witnesses cosigned the head, and when."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.audit.helpers import build_chain
from tracker.audit.models import AuditCosignature
from tracker.audit.witness_config import parse_witnesses
from tracker.extensions import db
from tracker.witness_program.state import Witness


def _witnesses(app, tmp_path, monkeypatch):
    one = Witness.init(tmp_path / "one", "union.example/witness")
    two = Witness.init(tmp_path / "two", "auditor.example/witness")
    entries = [{"url": "http://127.0.0.1:1", "key": w.verifier().vkey} for w in (one, two)]
    monkeypatch.setitem(app.config, "AUDIT_WITNESSES", entries)
    assert len(parse_witnesses(entries)) == 2


def _cosigned(name: str, size: int) -> None:
    db.session.add(AuditCosignature(witness_name=name, tree_size=size, root_hash="x" * 44, cosignature="\u2014 x y",
                                    cosigned_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC)))
    db.session.flush()


def test_the_audit_page_names_each_witness_and_how_far_it_cosigned(app, web, factory, tmp_path, monkeypatch):
    _witnesses(app, tmp_path, monkeypatch)
    auditor = factory.user("auditor")
    build_chain(4)
    _cosigned("union.example/witness", 1)
    _cosigned("union.example/witness", 5)  # the head: four events plus nothing else written since
    db.session.commit()
    assert web.login(auditor.email, factory.password).status_code == 302
    html = web.client.get("/audit").get_data(as_text=True)
    assert "Vittnen" in html and "union.example/witness" in html and "auditor.example/witness" in html
    assert "har inte kontrasignerat någon kontrollpunkt ännu." in html
    assert "kontrasignerade" in html and "2026-12-01" in html


def test_the_record_lists_the_witnesses(app, factory, tmp_path, monkeypatch):
    from tracker.exports.record import build_record

    _witnesses(app, tmp_path, monkeypatch)
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    _cosigned("auditor.example/witness", 1)
    witnesses = build_record(case, hr)["audit"]["witnesses"]
    assert [(w["name"], w["tree_size"]) for w in witnesses] == [
        ("union.example/witness", None), ("auditor.example/witness", 1)]
    assert witnesses[1]["cosigned_at"] == "2026-12-01T09:30:00.000000Z"
