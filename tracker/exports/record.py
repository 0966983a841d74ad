"""The procedure record of one case, as one plain dict: every export format renders this.

`build_record(case, reader)` is the single place that reads the other features' data (read-only,
through their models and public functions; see sections.py), always for one reader, redacted for
them.
The shape is documented by docs/procedure-record.schema.json and docs/procedure-record.md.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from tracker.audit.canonical import canonical_json, chain_hash
from tracker.audit.chain import current_head
from tracker.audit.checkpoints import checkpoint_dict, configured_public_keys, latest_checkpoint, signature_valid
from tracker.audit.cosigners import head_cosigners
from tracker.audit.models import AuditEvent
from tracker.audit.verify import verify_chain
from tracker.auth.models import User
from tracker.cases.models import Case, CaseDecisionMaker
from tracker.exports import sections, sections_meetings, sections_rounds
from tracker.exports.serialise import event_fields, iso, person
from tracker.extensions import db
from tracker.i18n import default_language, offered
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.steering.models import SteeringMember
from tracker.timeutil import utcnow

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://samverkan.example.org/schemas/procedure-record/1.0"

def record_language(case: Case, language: str | None = None) -> str:
    """The language the record is written in: the exporter's pick when the organisation offers
    it, else the case's language, else the organisation's default."""
    return offered(language) or offered(case.language) or default_language()


# --- case header --------------------------------------------------------------------------------

def _case_section(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "diary_number": case.diary_number,
        "title": case.title,
        "description": case.description or "",
        "change_kind": str(case.change_kind),
        "staff_affected": case.staff_affected,
        "may_reduce_staff": bool(case.may_reduce_staff),
        "is_large": bool(case.is_large),
        "planned_decision_date": iso(case.planned_decision_date),
        "decision_body": case.decision_body or "",
        "profile_code": case.profile_code,
        "profile_version": case.profile_version,
        "language": case.language,
        "status": str(case.status),
        "current_stage": case.current_stage,
        "non_compliance": bool(case.non_compliance),
        "urgent_reason": case.urgent_reason,
        "urgent_recorded_at": iso(case.urgent_recorded_at),
        "archived_at": iso(case.archived_at),
        "created_at": iso(case.created_at),
        "responsible_hr": person(case.responsible_hr),
        "units": case.unit_names,
    }


def _legal_basis(case: Case, locale: str) -> dict[str, Any]:
    basis: dict[str, Any] = {"profile_code": case.profile_code, "profile_version": case.profile_version,
                             "profile_name": case.profile_code, "text": "", "settings": {}}
    try:
        profile = get_profile(case.profile_code)
    except ProfileError:
        return basis
    name = profile.name_in(locale)
    text = profile.legal_basis_in(locale)
    basis.update(profile_name=name.plain(), text=text.plain() if text else "", settings=dict(profile.settings),
                 text_language=text.lang if text else locale)
    return basis


# --- steering group -----------------------------------------------------------------------------

def _steering_group(case: Case) -> list[dict[str, Any]]:
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id)
        .order_by(SteeringMember.joined_at, SteeringMember.id)
    ).scalars().all()
    return [
        {
            "id": m.id,
            "user": person(m.user),
            "party": str(m.party),
            "role": str(m.role),
            "union": m.union.name if m.union else None,
            "units": list(m.units or []),
            "joined_at": iso(m.joined_at),
            "left_at": iso(m.left_at),
            "current": m.left_at is None,
        }
        for m in members
    ]


def _signatories(steering: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in steering if m["role"] == "signatory"]


# --- audit trail ----------------------------------------------------------------------------------

def case_events_query(case: Case):
    """The case's audit events in chain order, as plain rows (attribute access like the model's).

    Rows rather than ORM objects: an export reads thousands of events once and never changes them,
    and building identity-mapped instances was a fifth of the time of building the record.
    """
    return (
        select(AuditEvent.__table__)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.seq)
    )


def _event_dict(event: Any, redacted: bool) -> dict[str, Any]:
    fields = event_fields(event)
    row = dict(fields)
    row["prev_hash"] = event.prev_hash
    row["hash"] = event.hash
    row["hash_ok"] = chain_hash(event.prev_hash, canonical_json(fields)) == event.hash
    row["payload_redacted"] = redacted
    if redacted:
        row["payload"] = None
    return row


def chain_head() -> dict[str, Any]:
    seq, head = current_head()
    return {"seq": seq, "hash": head}


def _global_verification(case: Case) -> dict[str, Any]:
    """The whole chain and every checkpoint, checked by the audit feature's verifier."""
    outcome = verify_chain(case_id=case.id)
    return {
        "performed": True,
        "ok": bool(outcome.ok),
        "checked_events": outcome.events_checked,
        "checkpoints_checked": outcome.checkpoints_checked,
        "first_bad_seq": outcome.first_bad_seq,
        "kind": outcome.kind,
        "message": outcome.message or "",
        "case_affected": outcome.case_affected,
        "warnings": list(outcome.warnings),
    }


def _checkpoint_section() -> dict[str, Any] | None:
    cp = latest_checkpoint()
    if cp is None:
        return None
    data = checkpoint_dict(cp)
    data["signature_valid"] = signature_valid(cp, configured_public_keys())
    return data


def _audit_section(case: Case, events: Sequence[Any], hidden: set[tuple[str, str]]) -> dict[str, Any]:
    rows = [_event_dict(e, sections.should_redact(e, hidden)) for e in events]
    checked = [r for r in rows if not r["payload_redacted"]]
    return {
        "events": rows,
        "event_count": len(rows),
        "chain_head": chain_head(),
        "checkpoint": _checkpoint_section(),
        "witnesses": [c.as_dict() for c in head_cosigners()],
        "verification": {
            "case_events_ok": all(r["hash_ok"] for r in checked),
            "case_events_checked": len(checked),
            "case_events_redacted": len(rows) - len(checked),
            "global": _global_verification(case),
        },
    }


def _decision_makers(case: Case) -> list[dict[str, Any]]:
    """The case's decision body: every assignment, current and ended (one query)."""
    rows = db.session.execute(select(CaseDecisionMaker).where(CaseDecisionMaker.case_id == case.id)
                              .order_by(CaseDecisionMaker.id)).scalars().unique().all()
    return [
        {
            "id": r.id, "user": person(r.user), "assigned_at": iso(r.assigned_at), "assigned_by": person(r.assigned_by),
            "ended_at": iso(r.ended_at), "ended_by": person(r.ended_by),
            "end_reason": r.end_reason or "", "current": r.ended_at is None,
        }
        for r in rows
    ]


# --- the record -----------------------------------------------------------------------------------

def build_record(case: Case, reader: User, *, generated_at: datetime | None = None,
                 language: str | None = None) -> dict[str, Any]:
    """The complete procedure record of `case` as `reader` may see it (redacted for them), its
    labels in `language` (default: the case's language)."""
    locale = record_language(case, language)
    with force_locale(locale):
        steering = _steering_group(case)
        events = db.session.execute(case_events_query(case)).all()
        records = sections.stage_records(case)
        documents, hidden = sections.documents(case, reader)
        current = sections.current_deadlines(case)
        deadlines = sections.deadlines(case, current)
        flags = sections.non_compliance(case, deadlines)
        record: dict[str, Any] = {
            "$schema": SCHEMA_ID,
            "schema_version": SCHEMA_VERSION,
            "generated_at": iso(generated_at or utcnow()),
            "generated_by": {**person(reader), "role": str(reader.primary_role) if reader.primary_role else None},
            "language": locale,
            "case": _case_section(case),
            "legal_basis": _legal_basis(case, locale),
            "steering_group": steering,
            "signatories": _signatories(steering),
            "decision_makers": _decision_makers(case),
            "stages": sections.stages(case, records),
            "meetings": sections_meetings.meetings(case),
            "counter_proposals": sections.counter_proposals(case),
            "risk_assessments": sections.risk_assessments(case),
            "deadlines": deadlines,
            "non_compliance": flags,
            "end_of_negotiations": sections.end_of_negotiations(case, records, events),
            "central_negotiation": sections.central_negotiation(case),
            "decision": sections.decision(case, records, flags),
            "evaluation": sections.evaluation(case, records, deadlines),
            "reopenings": sections.reopenings(case, records, events),
            "rounds": sections_rounds.rounds(case, current[1]),
            "documents": documents,
            "audit": _audit_section(case, events, hidden),
        }
    return record


def record_json(record: dict[str, Any]) -> bytes:
    """The record's JSON file: UTF-8, indented, keys in a stable order."""
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False).encode("utf-8")
