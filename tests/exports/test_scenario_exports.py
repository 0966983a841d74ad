"""The exported record of real procedures: S3 (refused minutes), S5 (secret document), a full walk
with counter-proposal, risk objection, central negotiation and an overridden decision, reopening."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest

from tests.exports.conftest import pdf_text
from tests.exports.test_bundle import run_verifier
from tests.exports.test_services import validate
from tests.procedure.helpers import complete_early_information, hold_negotiation, walk_to
from tracker.discussion import services as discussion
from tracker.exports import services
from tracker.exports.record import build_record
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.procedure import services as ps
from tracker.procedure.stages import STAGES, stage_label
from tracker.risk import services as risk
from tracker.timeutil import local_date, utcnow

PASSWORD = "correct-horse-battery"


@pytest.fixture
def people(factory):
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile="se-mbl", title="Sammanslagning av äldreboenden", units=["Solgården"])
    decider = factory.user("decision_maker", name="Daniel Ek")
    union = factory.user("union_rep", name="Päivi Häkkinen")
    safety = factory.user("safety_rep", name="Sami Järvinen")
    auditor = factory.user("auditor", name="Astrid Öberg")
    factory.member(case, hr, "employer", role="chair")
    factory.member(case, decider, "employer", role="signatory")
    factory.member(case, union, "personnel", role="signatory", units=["Solgården"])
    factory.member(case, safety, "personnel", role="safety_representative", units=["Solgården"])
    return {"case": case, "hr": hr, "decider": decider, "union": union, "safety": safety, "auditor": auditor}


def disputed_minutes(p):
    """S3 1-3: employer approves version 1, the union refuses it with an objection."""
    case = p["case"]
    meeting = meetings.schedule_meeting(p["hr"], case, title="Avslutande förhandling", starts_at=utcnow() - timedelta(days=1),
                                        ends_at=utcnow() - timedelta(days=1, hours=-2), place="Stadshuset",
                                        stages=["closing"])
    db.session.commit()
    v1 = meetings.save_minutes(p["hr"], meeting, "§1 Mötet öppnas.\n§2 Parterna är oeniga.")
    meetings.submit_minutes(p["hr"], meetings.minutes_of(meeting))
    db.session.commit()
    meetings.approve_minutes(p["decider"], v1, password=PASSWORD, sha256=v1.sha256)
    db.session.commit()
    meetings.refuse_minutes(p["union"], v1, password=PASSWORD, objection="§2 återger inte vår ståndpunkt om bemanningen.")
    db.session.commit()
    return meeting, v1


def test_s3_record_shows_every_version_approval_refusal_and_objection(people, tmp_path):
    p = people
    case = p["case"]
    meeting, v1 = disputed_minutes(p)
    # A corrected version voids the earlier approval; both versions stay in the record.
    v2 = meetings.save_minutes(p["hr"], meeting, "§1 Mötet öppnas.\n§2 Parterna är oeniga om bemanningen.")
    db.session.commit()
    complete_early_information(case, p["hr"])
    walk_to(case, p["hr"], "closing", safety=p["safety"], password=PASSWORD)
    # S3 4: the employer ends the negotiation by written notice.
    ps.end_negotiation(p["hr"], case, end_mode="written_notice", ended_at=utcnow() - timedelta(minutes=1),
                       employer_position="Sammanslagningen genomförs", personnel_position="Emot", notice_by="employer")
    db.session.commit()

    record = json.loads(services.export_json(case, p["auditor"]).data)
    db.session.commit()
    validate(record)
    (m,) = record["meetings"]
    assert [v["version"] for v in m["minutes"]] == [1, 2]
    assert m["minutes"][0]["sha256"] == v1.sha256 and m["minutes"][1]["sha256"] == v2.sha256
    sigs = m["minutes"][0]["signatures"]
    approval = next(s for s in sigs if s["decision"] == "approved")
    refusal = next(s for s in sigs if s["decision"] == "refused")
    assert approval["signatory"]["name"] == "Daniel Ek" and approval["voided"] is True
    assert refusal["signatory"]["name"] == "Päivi Häkkinen"
    assert refusal["objection"] == "§2 återger inte vår ståndpunkt om bemanningen."
    end = record["end_of_negotiations"]
    assert end["mode"] == "written_notice" and end["notice_by"] == "employer" and end["ended_at"]
    assert {x["party"] for x in end["positions"]} == {"employer", "personnel"}

    text = pdf_text(services.export_pdf(case, p["auditor"]).data, tmp_path)
    db.session.commit()
    flat = " ".join(text.split())
    assert v1.sha256 in flat and v2.sha256 in flat
    assert "justerat" in flat and "vägrat" in flat
    assert "§2 återger inte vår ståndpunkt om bemanningen." in flat
    assert "skriftligt besked om avslut" in flat


def test_full_walk_with_override_is_flagged_everywhere(people, tmp_path, factory):
    p = people
    case = p["case"]
    complete_early_information(case, p["hr"])
    ps.add_position(p["union"], case, "grounds", "Vi delar inte bilden av budgetläget.", dissent=True)
    db.session.commit()
    walk_to(case, p["hr"], "alternatives", safety=p["safety"], password=PASSWORD)
    assessment = risk.assessment_for(case)  # created and co-signed by walk_to
    risk.add_objection(p["union"], assessment, "Nattbemanningen är inte bedömd.")
    proposal = discussion.submit_counter_proposal(p["union"], case, title="Behåll båda boendena",
                                                  body="Samordna ledningen i stället.")
    db.session.commit()
    discussion.answer_counter_proposal(p["hr"], proposal, "Avslås: lokalerna uppfyller inte kraven.")
    ps.update_stage(p["hr"], case, "alternatives", alternatives_considered="Samordnad ledning")
    ps.complete_stage(p["hr"], case, "alternatives")
    hold_negotiation(factory, case, p["hr"], when=utcnow() - timedelta(hours=3))
    ps.end_negotiation(p["hr"], case, end_mode="disagreement", ended_at=utcnow() - timedelta(minutes=1),
                       employer_position="Genomför", personnel_position="Emot")
    ps.complete_stage(p["hr"], case, "closing")
    db.session.commit()
    ps.request_central_negotiation(p["union"], case, note="Kommunal begär central förhandling.")
    db.session.commit()
    ps.register_decision(p["decider"], case, body="Kommunstyrelsen", decided_on=utcnow().date(), reference="§ 42",
                         override_reason="Synnerliga skäl: tillsynsmyndighetens föreläggande.")
    db.session.commit()

    record = json.loads(services.export_json(case, p["auditor"]).data)
    db.session.commit()
    validate(record)
    assert all(s["rounds"] for s in record["stages"])
    grounds = next(s for s in record["stages"] if s["code"] == "grounds")
    assert any(x["dissent"] and x["party"] == "personnel" for x in grounds["rounds"][0]["positions"])
    (ra,) = record["risk_assessments"]
    assert ra["cosigned_by"]["name"] == "Sami Järvinen"
    assert ra["objections"][0]["body"] == "Nattbemanningen är inte bedömd."
    (cp,) = record["counter_proposals"]
    assert cp["answer"].startswith("Avslås")
    (central,) = record["central_negotiation"]
    assert central["pending"] is True and central["timely"] is True
    assert record["decision"]["reference"] == "§ 42"
    assert record["decision"]["override_reason"].startswith("Synnerliga skäl")
    overrides = [f for f in record["non_compliance"] if f["kind"] == "override"]
    assert overrides and overrides[0]["actor"]["name"] == "Daniel Ek"

    text = " ".join(pdf_text(services.export_pdf(case, p["auditor"]).data, tmp_path).split())
    db.session.commit()
    assert case.diary_number in text
    for code in STAGES:
        assert stage_label(code) in text
    for name in ("Helena Rask", "Daniel Ek", "Päivi Häkkinen", "Sami Järvinen"):
        assert name in text
    for flag in record["non_compliance"]:
        assert f"AVVIKELSE: {flag['description']}" in text
    assert "Synnerliga skäl: tillsynsmyndighetens föreläggande." in text
    assert "Nattbemanningen är inte bedömd." in text and "Behåll båda boendena" in text


def test_reopened_stage_keeps_the_frozen_round(people):
    p = people
    case = p["case"]
    complete_early_information(case, p["hr"])
    ps.update_stage(p["hr"], case, "grounds", reasons="Budgetläget")
    ps.complete_stage(p["hr"], case, "grounds")
    db.session.commit()
    ps.reopen_stage(p["hr"], case, "grounds", "Planen ändrades väsentligt efter nya siffror.")
    db.session.commit()
    record = build_record(case, p["auditor"])
    validate(record)
    grounds = next(s for s in record["stages"] if s["code"] == "grounds")
    assert [r["round"] for r in grounds["rounds"]] == [1, 2]
    assert grounds["rounds"][0]["frozen_at"] and grounds["rounds"][0]["completed_at"]
    (reopening,) = record["reopenings"]
    assert reopening["stage"] == "grounds" and reopening["by"]["name"] == "Helena Rask"
    assert reopening["reason"] == "Planen ändrades väsentligt efter nya siffror."


def upload_secret(p, readers):
    from tracker.documents import services as documents

    version = documents.upload(p["hr"], p["case"], stream=io.BytesIO(b"%PDF-1.4\nbudget\n%%EOF\n"),
                               filename="budget-hemliga-siffror.pdf", title="Budgetunderlag 2027",
                               classification="secret", legal_basis="OSL 19 kap. 1 §", readers=readers,
                               secrecy_ends_on=date.today() + timedelta(days=3650))
    db.session.commit()
    return version


def test_s5_uncleared_auditor_gets_metadata_and_hash_not_the_name(people, tmp_path):
    from tracker.documents import services as documents

    p = people
    version = upload_secret(p, [p["decider"], p["union"]])
    result = services.export_bundle(p["case"], p["auditor"])
    db.session.commit()
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        record = json.loads(archive.read("record.json"))
        manifest = json.loads(archive.read("manifest.json"))
        pdf = archive.read("record.pdf")
        everything = b"".join(archive.read(n) for n in archive.namelist() if n != "record.pdf")
    validate(record)
    (doc,) = record["documents"]
    assert doc["title"] is None and doc["classification"] == "secret" and doc["name_visible"] is False
    assert doc["legal_basis"] == "OSL 19 kap. 1 §"
    assert doc["versions"][0]["sha256"] == version.sha256 and doc["versions"][0]["filename"] is None
    assert doc["versions"][0]["size"] == version.size
    assert manifest["document_versions"] == [{"document_id": doc["id"], "version": 1, "sha256": version.sha256,
                                              "size": version.size}]
    assert b"Budgetunderlag" not in everything and b"budget-hemliga" not in everything
    text = pdf_text(pdf, tmp_path)
    assert "Budgetunderlag" not in text and "budget-hemliga" not in text
    assert version.sha256[:16] in text.replace("\n", "")
    bundle = tmp_path / "s5.zip"
    bundle.write_bytes(result.data)
    assert run_verifier(bundle).returncode == 0

    # After clearance the auditor's export names the document.
    documents.grant_clearance(p["hr"], p["case"], p["auditor"], reason="Granskning 2027")
    db.session.commit()
    record = json.loads(services.export_json(p["case"], p["auditor"]).data)
    db.session.commit()
    (doc,) = record["documents"]
    assert doc["title"] == "Budgetunderlag 2027" and doc["versions"][0]["filename"] == "budget-hemliga-siffror.pdf"
    assert doc["access_reason"] == "cleared_auditor"
    assert "clearance.granted" in [e["action"] for e in record["audit"]["events"]]


def test_named_payloads_of_secret_documents_are_redacted_and_the_verifier_says_so(people, tmp_path):
    """An event whose payload names a secret document (here: a hand-written one) is hidden from an
    uncleared reader; its hash is not recomputed offline and the verifier reports it."""
    from tracker.audit.service import record as audit_record
    from tracker.documents.models import Document

    p = people
    version = upload_secret(p, [p["union"]])
    document = db.session.get(Document, version.document_id)
    audit_record(p["hr"], "document.renamed", document, {"title": "Budgetunderlag 2027, rev"}, case_id=p["case"].id)
    db.session.commit()
    result = services.export_bundle(p["case"], p["auditor"])
    db.session.commit()
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        record = json.loads(archive.read("record.json"))
        assert b"Budgetunderlag" not in archive.read("audit-events.csv")
    redacted = [e for e in record["audit"]["events"] if e["payload_redacted"]]
    assert [e["action"] for e in redacted] == ["document.renamed"] and redacted[0]["payload"] is None
    bundle = tmp_path / "redacted.zip"
    bundle.write_bytes(result.data)
    outcome = run_verifier(bundle)
    assert outcome.returncode == 0, outcome.stdout
    assert "1 events have a payload hidden" in outcome.stdout


def test_deadlines_show_computed_and_actual_dates(factory, tmp_path):
    """S1-like: a proposal, then a first meeting; the record has each deadline with its basis and the
    actual date it is measured against."""
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile="fi-municipal", title="Lomautukset, kotihoito", may_reduce_staff=True,
                        staff_affected=8)
    union = factory.user("union_rep", name="Ulla Nieminen")
    factory.member(case, hr, "employer", role="chair")
    factory.member(case, union, "personnel", role="signatory")
    auditor = factory.user("auditor")
    delivered = utcnow() - timedelta(days=20)
    complete_early_information(case, hr, proposal_at=delivered)
    first = utcnow() - timedelta(days=10)
    meetings.schedule_meeting(hr, case, title="Första mötet", starts_at=first, ends_at=first + timedelta(hours=2),
                              place="Kunnantalo", stages=["grounds"])
    db.session.commit()
    record = build_record(case, auditor)
    validate(record)
    by_code = {d["code"]: d for d in record["deadlines"]}
    earliest = by_code["earliest_first_meeting"]
    assert earliest["due"] and earliest["basis"] and earliest["met"] is True
    assert earliest["actual"] == local_date(first).isoformat()
    text = " ".join(pdf_text(services.export_pdf(case, auditor).data, tmp_path).split())
    db.session.commit()
    assert earliest["label"] in text and earliest["due"] in text and earliest["actual"] in text


def _count_queries(count_queries, fn) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        fn()
    return len(statements)


def _grow(p, factory, n: int) -> None:
    """n more meetings with signed minutes, members, counter-proposals, comments and documents."""
    from tracker.documents import services as documents

    case = p["case"]
    for i in range(n):
        factory.member(case, factory.user("union_rep", name=f"Ledamot {i}"), "personnel")
        when = utcnow() - timedelta(days=2 + i)
        meeting = meetings.schedule_meeting(p["hr"], case, title=f"Möte {i}", starts_at=when,
                                            ends_at=when + timedelta(hours=1), place="Rum 1", stages=["grounds"])
        version = meetings.save_minutes(p["hr"], meeting, f"Protokoll {i}")
        meetings.submit_minutes(p["hr"], meetings.minutes_of(meeting))
        db.session.commit()
        meetings.approve_minutes(p["decider"], version, password=PASSWORD, sha256=version.sha256)
        discussion.submit_counter_proposal(p["union"], case, title=f"Förslag {i}", body="Text")
        discussion.add_comment(p["union"], case, "early_information", f"Kommentar {i}")
        documents.upload(p["hr"], case, stream=io.BytesIO(b"%PDF-1.4\nx\n%%EOF\n"), filename=f"bilaga{i}.pdf",
                         title=f"Bilaga {i}", classification="internal")
        db.session.commit()


def test_record_is_built_with_a_constant_number_of_queries(people, factory, count_queries):
    p = people
    _grow(p, factory, 1)
    small = _count_queries(count_queries, lambda: build_record(p["case"], p["auditor"]))
    _grow(p, factory, 4)
    large = _count_queries(count_queries, lambda: build_record(p["case"], p["auditor"]))
    assert small == large, (small, large)
