"""Exports through the services: every format, the audit event, the checkpoint, access, the schema."""
from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from tests.exports.conftest import csv_rows, pdf_pages, pdf_text
from tracker.audit.models import AuditCheckpoint, AuditEvent
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.exports import services
from tracker.exports.record import build_record
from tracker.extensions import db
from tracker.procedure.stages import STAGES, stage_label

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "procedure-record.schema.json").read_text())


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    """The schema checked against its metaschema, and its validator, built once per run (checking
    the schema took seconds per call, twice: `jsonschema.validate` checks it again)."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def validate(record: dict) -> None:
    """`record` validates against the procedure-record schema (formats checked); the most relevant
    error is raised otherwise, as `jsonschema.validate` does."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(record))
    if error is not None:
        raise error


def export_events(case) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.generated", AuditEvent.case_id == case.id)
        .order_by(AuditEvent.seq)).scalars())


@pytest.mark.parametrize("fmt", services.FORMATS)
def test_each_export_is_audited_after_a_checkpoint(setup, fmt):
    case, auditor = setup["case"], setup["auditor"]
    before = db.session.execute(select(func.count(AuditCheckpoint.id))).scalar_one()
    result = services.export(case, auditor, fmt)
    db.session.commit()
    assert result.data and result.filename.startswith(case.diary_number)
    (event,) = export_events(case)
    assert event.actor_id == auditor.id
    assert event.payload["format"] == fmt and event.payload["sha256"] == result.sha256
    checkpoints = db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).scalars().all()
    assert len(checkpoints) == before + 1
    # The checkpoint signs the head as it was just before the export event.
    assert checkpoints[-1].seq == event.seq - 1 and checkpoints[-1].head_hash == event.prev_hash


def test_json_export_validates_against_the_schema(setup):
    result = services.export_json(setup["case"], setup["auditor"])
    db.session.commit()
    record = json.loads(result.data)
    validate(record)
    assert record["case"]["diary_number"] == setup["case"].diary_number
    assert [s["code"] for s in record["stages"]] == list(STAGES)
    assert {m["user"]["name"] for m in record["signatories"]} == {"Örjan Ekström", "Päivi Häkkinen"}
    assert record["audit"]["verification"]["case_events_ok"] is True
    assert record["audit"]["verification"]["global"]["ok"] is True
    assert record["audit"]["checkpoint"]["signature_valid"] is True
    actions = [e["action"] for e in record["audit"]["events"]]
    assert actions[0] == "case.opened" and actions.count("steering.member_added") == 2


def test_record_keeps_former_members(setup, factory):
    from tracker.steering import services as steering_services

    case = setup["case"]
    extra = factory.user("union_rep", name="Jukka Kärkkäinen")
    member = factory.member(case, extra, "personnel")
    steering_services.end_membership(case.responsible_hr, member, reason="bytt uppdrag")
    db.session.commit()
    record = build_record(case, setup["auditor"])
    validate(record)
    former = [m for m in record["steering_group"] if m["user"]["name"] == "Jukka Kärkkäinen"]
    assert len(former) == 1 and former[0]["left_at"] and former[0]["current"] is False


def test_csv_has_every_case_event_with_hashes(setup):
    case = setup["case"]
    result = services.export_csv(case, setup["auditor"])
    db.session.commit()
    rows = csv_rows(result.data.decode("utf-8"))
    stored = db.session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action != "export.generated")
        .order_by(AuditEvent.seq)).scalars().all()
    assert [int(r["seq"]) for r in rows] == [e.seq for e in stored]
    assert [r["hash"] for r in rows] == [e.hash for e in stored]
    assert [r["prev_hash"] for r in rows] == [e.prev_hash for e in stored]
    assert json.loads(rows[0]["payload"]) == stored[0].payload
    assert set(services.CSV_COLUMNS) <= set(rows[0])


def test_pdf_names_case_stages_signatories_and_chain_head(setup, tmp_path):
    case = setup["case"]
    result = services.export_pdf(case, setup["auditor"])
    db.session.commit()
    assert result.data.startswith(b"%PDF")
    text = pdf_text(result.data, tmp_path)
    record = build_record(case, setup["auditor"])  # same head: the export event is the only later one
    assert case.diary_number in text
    for code in STAGES:
        assert stage_label(code) in text
    for name in ("Örjan Ekström", "Päivi Häkkinen", "Helena Rask", "Astrid Öberg"):
        assert name in text
    head = db.session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).scalars().first()
    assert head.head_hash in text.replace("\n", " ")
    assert "sida 1 av" in text and "Innehåll" in text
    assert record["case"]["title"] in text


def test_pdf_in_english_for_an_english_reader(setup, tmp_path):
    auditor = setup["auditor"]
    auditor.locale = "en"
    result = services.export_pdf(setup["case"], auditor)
    db.session.commit()
    text = pdf_text(result.data, tmp_path)
    assert setup["case"].diary_number in text  # labels follow translations/ once compiled


def test_responsible_hr_may_export_other_roles_may_not(setup, factory):
    case = setup["case"]
    services.export_json(case, setup["hr"])
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.export_json(case, setup["union"])  # a member: sees the case, may not export
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.export_json(case, setup["employer"])  # HR officer and member, not responsible
    db.session.rollback()
    with pytest.raises(NotFound):
        services.export_json(case, factory.user("hr_officer"))  # another HR officer: invisible
    db.session.rollback()
    with pytest.raises(NotFound):
        services.export_json(case, factory.user("admin"))
    db.session.rollback()
    assert len(export_events(case)) == 1


def test_unknown_format_is_refused(setup):
    with pytest.raises(ValidationFailed):
        services.export(setup["case"], setup["auditor"], "docx")


def test_pdf_grows_with_the_record_but_not_beyond_reason(setup, tmp_path):
    from tracker.audit.service import record as audit_record

    case, auditor = setup["case"], setup["auditor"]
    small = pdf_pages(services.export_pdf(case, auditor).data, tmp_path)
    db.session.commit()
    for i in range(400):
        audit_record(setup["hr"], "case.noted", case, {"note": f"anteckning {i} om förändringen"}, case_id=case.id)
    db.session.commit()
    large = pdf_pages(services.export_pdf(case, auditor).data, tmp_path)
    db.session.commit()
    assert large > small
    assert large - small <= 400 / 15  # at least ~15 events a page


def test_bulk_export_is_for_auditors_and_audits_each_bundle(setup):
    import zipfile

    case = setup["case"]
    with pytest.raises(PermissionDenied):
        services.export_bulk(setup["hr"], [case], stamp="20270101-0000")  # may export this case, not in bulk
    db.session.rollback()
    result = services.export_bulk(setup["auditor"], [case], stamp="20270101-0000")
    db.session.commit()
    assert result.filename == "procedure-records-20270101-0000.zip"
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        assert archive.namelist() == [f"{case.diary_number}-procedure-record.zip"]
    (event,) = export_events(case)
    assert event.payload["format"] == "bundle" and event.payload["bulk"] is True


def test_csv_names_each_action_in_words_after_the_evidence_columns(setup):
    case = setup["case"]
    rows = csv_rows(services.export_csv(case, setup["auditor"]).data.decode("utf-8"))
    assert list(rows[0])[-2:] == ["action_text", "occurred_local"] and set(services.CSV_COLUMNS) <= set(rows[0])
    opened = next(r for r in rows if r["action"] == "case.opened")
    assert opened["action_text"] == "Ärende registrerat"
    assert all(r["action_text"] and r["action_text"] != r["action"] for r in rows)
    english = csv_rows(services.export_csv(case, setup["auditor"], language="en").data.decode("utf-8"))
    assert next(r for r in english if r["action"] == "case.opened")["action_text"] == "Case registered"


def test_csv_gives_each_event_its_local_time_with_the_offset_beside_the_hashed_utc(setup):
    """The pages and the PDF show local time; the CSV keeps the hashed UTC instant and adds the same
    instant in the organisation's zone with its offset, so nobody has to convert."""
    from datetime import datetime

    from tracker.timeutil import org_tz

    rows = csv_rows(services.export_csv(setup["case"], setup["auditor"]).data.decode("utf-8"))
    for row in rows:
        utc = datetime.fromisoformat(row["occurred_at"].replace("Z", "+00:00"))
        local = datetime.fromisoformat(row["occurred_local"])
        assert local == utc.replace(microsecond=0) and local.utcoffset() == utc.astimezone(org_tz()).utcoffset()
        assert row["occurred_local"][-6] in "+-" and "." not in row["occurred_local"]
    assert services.local_time_cell("2026-07-01T10:00:00.000000Z") == "2026-07-01T12:00:00+02:00"  # summer time
    assert services.local_time_cell("2026-01-15T10:00:00.500000Z") == "2026-01-15T11:00:00+01:00"
    assert services.local_time_cell(None) == ""
