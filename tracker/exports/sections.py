"""The record's sections that come from other features (procedure, steering, meetings, documents).

Each function reads through that feature's models or public functions, read-only, with a fixed
number of queries whatever the size of the case.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.discussion.models import Comment, CounterProposal
from tracker.documents.policy import case_access, case_documents
from tracker.exports.serialise import event_actor, iso, person, plain
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as procedure_services
from tracker.procedure.labels import deadline_label
from tracker.procedure.models import CentralNegotiationRequest, DeadlineOverride, StageRecord
from tracker.procedure.rounds import case_round
from tracker.procedure.stages import STAGES, stage_label
from tracker.risk.models import RiskAssessment

# Payload keys that may name a secret document (redacted for readers who may not see the name).
NAME_KEYS = frozenset({"title", "filename", "filenames", "name", "old_title", "new_title", "changes"})


def _users(ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(wanted))).scalars().unique()}


# --- procedure ------------------------------------------------------------------------------------

def stage_records(case: Case) -> list[Any]:
    """The case's stage records (every round), by stage and round."""
    return list(db.session.execute(
        select(StageRecord).where(StageRecord.case_id == case.id)
        .order_by(StageRecord.stage_code, StageRecord.round)
    ).scalars().unique())


def _position(p: Any) -> dict[str, Any]:
    return {"party": str(p.party), "author": person(p.author), "at": iso(p.created_at), "text": p.text,
            "dissent": bool(p.dissent), "final": bool(p.is_final)}


def _comments(case: Case) -> dict[str, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(Comment).where(Comment.case_id == case.id).order_by(Comment.created_at, Comment.id)
    ).scalars().unique()
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in rows:
        by_stage[c.stage_code].append({
            "author": person(c.author), "at": iso(c.created_at), "edited_at": iso(c.edited_at),
            "deleted_at": iso(c.deleted_at), "text": None if c.is_deleted else c.body,
        })
    return by_stage


def stages(case: Case, records: list[Any] | None = None) -> list[dict[str, Any]]:
    """Every stage in order with each of its rounds (a reopened stage keeps its frozen rounds)."""
    records = stage_records(case) if records is None else records
    comments = _comments(case)
    by_code: dict[str, list[Any]] = defaultdict(list)
    for rec in records:
        by_code[rec.stage_code].append(rec)
    out = []
    for code in STAGES:
        rounds = []
        for rec in sorted(by_code.get(code, []), key=lambda r: r.round):
            rounds.append({
                "round": rec.round,
                "status": str(rec.status),
                "started_at": iso(rec.started_at),
                "started_by": person(rec.started_by),
                "completed_at": iso(rec.completed_at),
                "completed_by": person(rec.completed_by),
                "content": plain(rec.content or {}),
                "positions": [_position(p) for p in rec.positions],
                "frozen_at": iso(rec.superseded_at),
                "reopen_reason": rec.reopen_reason,
            })
        out.append({"code": code, "label": stage_label(code), "rounds": rounds,
                    "comments": comments.get(code, [])})
    return out


def _current(records: list[Any], code: str) -> Any | None:
    current = [r for r in records if r.stage_code == code and r.superseded_at is None]
    return max(current, key=lambda r: r.round) if current else None


def current_deadlines(case: Case) -> tuple[dl.Facts, list[dl.Deadline]]:
    """The deadline engine's facts of the case and its deadlines today (read once per record: the
    deadlines section and the current round both show them)."""
    facts = procedure_services.facts_for(case)
    return facts, dl.compute(facts, procedure_services.today())


def deadlines(case: Case, current: tuple[dl.Facts, list[dl.Deadline]] | None = None) -> list[dict[str, Any]]:
    """The deadline engine's view: each deadline computed against the actual date (`current`: as
    `current_deadlines`, when already read)."""
    facts, computed = current if current is not None else current_deadlines(case)
    actuals = _actual_dates(facts)
    rows = []
    for d in computed:
        extra = getattr(d, "extra", None) or {}
        actual = getattr(d, "actual", None) or extra.get("actual") or actuals.get(d.code)
        rows.append({
            "code": d.code,
            "label": str(d.label),
            "due": iso(d.due),
            "basis": str(d.basis or ""),
            "actual": iso(actual) if isinstance(actual, (date, datetime)) else actual,
            "met": d.met,
            "overdue": bool(d.overdue),
            "overridden": bool(getattr(d, "overridden", False)),
            "status": str(d.status),
            "status_label": d.status_label,
        })
    return rows


# Which recorded date each deadline is measured against (the engine's Facts field).
ACTUAL_FACT = {
    "earliest_first_meeting": "first_meeting_on",
    "min_negotiation_period": "negotiation_ended_on",
    "closing_not_ended": "negotiation_ended_on",
    "earliest_decision": "decision_on",
    "evaluation_due": "evaluation_approved_on",
}


def _actual_dates(facts: dl.Facts) -> dict[str, date]:
    actuals = {code: getattr(facts, name, None) for code, name in ACTUAL_FACT.items()}
    requests = getattr(facts, "central_requests", ()) or ()
    if requests:
        actuals["central_negotiation_window"] = min(r.requested_on for r in requests)
    return {code: value for code, value in actuals.items() if value is not None}


def non_compliance(case: Case, deadline_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every non-compliance: audited overrides, and deadlines that were not met or are overdue."""
    flags: list[dict[str, Any]] = []
    current_round = case_round(case)
    for o in db.session.execute(
        select(DeadlineOverride).where(DeadlineOverride.case_id == case.id).order_by(DeadlineOverride.at)
    ).scalars().unique():
        label = next((d["label"] for d in deadline_rows if d["code"] == o.deadline_code),
                     deadline_label(o.deadline_code))
        flags.append({"kind": "override", "deadline": o.deadline_code, "description": label,
                      "reason": o.reason, "earliest": iso(o.earliest), "actor": person(o.by),
                      "at": iso(o.at), "round": o.round})
    for d in deadline_rows:
        if d["overridden"]:
            continue
        if d["met"] is False or d["overdue"]:
            flags.append({"kind": "overdue" if d["overdue"] else "not_met", "deadline": d["code"],
                          "description": d["label"], "reason": d["basis"], "earliest": d["due"],
                          "actor": None, "at": None, "round": current_round})
    return flags


def end_of_negotiations(case: Case, records: list[Any], audit_events: Sequence[Any]) -> dict[str, Any] | None:
    """How and when the negotiation ended, by whom, and each party's final position."""
    closing = _current(records, "closing")
    if closing is None or (closing.negotiation_ended_at is None and not closing.end_mode):
        return None
    content = closing.content or {}
    event = next((e for e in reversed(audit_events) if e.action == "negotiation.ended"), None)
    finals = content.get("final_positions") or {}
    positions = [{"party": party, "author": None, "at": iso(closing.negotiation_ended_at), "text": text,
                  "dissent": False, "final": True}
                 for party, text in finals.items() if party in ("employer", "personnel") and text]
    positions += [_position(p) for p in closing.positions if p.is_final]
    return {
        "ended_at": iso(closing.negotiation_ended_at),
        "mode": closing.end_mode,
        "notice_by": content.get("notice_by"),
        "recorded_by": event_actor(event) if event else person(closing.completed_by),
        "note": content.get("note"),
        "positions": positions,
    }


def central_negotiation(case: Case) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(CentralNegotiationRequest).where(CentralNegotiationRequest.case_id == case.id)
        .order_by(CentralNegotiationRequest.requested_at)
    ).scalars().unique().all()
    enders = _users({r.ended_by_id for r in rows})
    return [{
        "requested_at": iso(r.requested_at), "requested_by": person(r.requested_by), "timely": bool(r.timely),
        "window_ends_on": iso(r.window_ends_on), "note": r.note or "", "pending": r.ended_at is None,
        "ended_at": iso(r.ended_at),
        "ended_by": person(enders.get(r.ended_by_id)) if r.ended_by_id is not None else None,
        "outcome": r.outcome,
    } for r in rows]


def decision(case: Case, records: list[Any], flags: list[dict[str, Any]]) -> dict[str, Any] | None:
    rec = _current(records, "decision")
    if rec is None or (rec.decision_date is None and rec.completed_at is None):
        return None
    content = rec.content or {}
    overrides = [f for f in flags if f["kind"] == "override"]
    return {
        "decided_on": iso(rec.decision_date),
        "body": content.get("decision_body") or content.get("body") or case.decision_body,
        "reference": content.get("reference") or content.get("paragraph"),
        "urgent": bool(content.get("urgent", False)),
        "registered_at": iso(rec.completed_at),
        "registered_by": person(rec.completed_by),
        "content": plain(content),
        "override_reason": "; ".join(o["reason"] for o in overrides) or None,
    }


def evaluation(case: Case, records: list[Any], deadline_rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    rec = _current(records, "evaluation")
    if rec is None:
        return None
    due = next((d["due"] for d in deadline_rows if d["code"] == "evaluation_due"), None)
    if rec.started_at is None and due is None:
        return None
    content = rec.content or {}
    return {
        "due": due,
        "report": content.get("report") or content.get("summary"),
        "approved_on": iso(rec.approved_on),
        "approved_at": iso(rec.completed_at),
        "approved_by": person(rec.completed_by),
        "content": plain(content),
    }


def reopenings(case: Case, records: list[Any], audit_events: Sequence[Any]) -> list[dict[str, Any]]:
    """Each reopening: which stage, the new round, when, by whom, why, and which later stages reset."""
    out = []
    for e in audit_events:
        if e.action != "stage.reopened":
            continue
        payload = e.payload or {}
        stage = payload.get("stage")
        if stage not in STAGES:
            continue
        out.append({
            "stage": stage, "stage_label": stage_label(stage), "round": int(payload.get("round") or 0),
            "at": iso(e.occurred_at), "reason": str(payload.get("reason") or ""),
            "by": event_actor(e),
            "reset": [c for c in payload.get("reset") or [] if c in STAGES],
        })
    if out or not records:
        return out
    # No events (e.g. an imported case): one entry per freeze, named by its earliest stage.
    frozen: dict[Any, list[Any]] = defaultdict(list)
    for rec in records:
        if rec.superseded_at is not None:
            frozen[rec.superseded_at].append(rec)
    for at, group in sorted(frozen.items(), key=lambda item: item[0]):
        first = min(group, key=lambda r: STAGES.index(r.stage_code))
        out.append({"stage": first.stage_code, "stage_label": stage_label(first.stage_code), "round": first.round + 1,
                    "at": iso(at), "reason": first.reopen_reason or "", "by": None,
                    "reset": [r.stage_code for r in group if r is not first]})
    return out


# --- counter-proposals and risk -------------------------------------------------------------------

def counter_proposals(case: Case) -> list[dict[str, Any]]:
    return [{
        "id": c.id, "stage_code": c.stage_code, "author": person(c.author), "title": c.title, "body": c.body,
        "created_at": iso(c.created_at), "answer": c.answer, "answered_by": person(c.answered_by),
        "answered_at": iso(c.answered_at), "withdrawn_at": iso(c.withdrawn_at),
    } for c in db.session.execute(
        select(CounterProposal).where(CounterProposal.case_id == case.id)
        .order_by(CounterProposal.created_at, CounterProposal.id)
    ).scalars().unique()]


def risk_assessments(case: Case) -> list[dict[str, Any]]:
    return [{
        "id": r.id, "summary": r.summary, "document_id": r.document_id, "created_by": person(r.created_by),
        "created_at": iso(r.created_at), "cosigned_by": person(r.cosigned_by), "cosigned_at": iso(r.cosigned_at),
        "waiver_reason": r.waiver_reason, "waived_by": person(r.waived_by), "waived_at": iso(r.waived_at),
        "objections": [{"author": person(o.author), "created_at": iso(o.created_at), "body": o.body}
                       for o in r.objections],
    } for r in db.session.execute(
        select(RiskAssessment).where(RiskAssessment.case_id == case.id).order_by(RiskAssessment.id)
    ).scalars().unique()]


# --- documents ------------------------------------------------------------------------------------

def documents(case: Case, reader: User) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """The document list as `reader` may see it, and the audit targets whose names to hide.

    A secret document the reader may not read appears with its class, legal basis, secrecy end
    and each version's size, type and hash, but without title or file names.
    """
    access = case_access(reader, case)
    out: list[dict[str, Any]] = []
    hidden: set[tuple[str, str]] = set()
    for d in case_documents(case):
        if not access.is_visible(d):
            # Not even metadata (cannot happen for exporters, kept for safety).
            hidden.add(("documents", str(d.id)))
            hidden.update(("document_versions", str(v.id)) for v in d.versions)
            continue
        readable = access.can_read(d)
        if not readable:
            hidden.add(("documents", str(d.id)))
            hidden.update(("document_versions", str(v.id)) for v in d.versions)
        out.append({
            "id": d.id,
            "title": d.title if readable else None,
            "classification": str(d.classification),
            "legal_basis": d.legal_basis,
            "secrecy_ends_on": iso(d.secrecy_ends_on),
            "stage_code": d.stage_code,
            "created_at": iso(d.created_at),
            "name_visible": readable,
            "content_readable": readable,
            "access_reason": str(access.reason(d)) if readable else None,
            "versions": [{
                "id": v.id,
                "version": v.number,
                "filename": v.filename if readable else None,
                "content_type": v.content_type,
                "size": v.size,
                "sha256": v.sha256,
                "uploaded_by": person(v.uploaded_by),
                "uploaded_at": iso(v.uploaded_at),
                "erased_at": iso(v.erased_at),
                "erasure_reason": v.erasure_reason if readable else (None if v.erasure_reason is None else ""),
            } for v in d.versions],
        })
    return out, hidden


def should_redact(event: Any, hidden: set[tuple[str, str]]) -> bool:
    """An event about a document whose name the reader may not see, and whose payload names it."""
    if (event.target_type or "", event.target_id or "") not in hidden:
        payload = event.payload or {}
        doc_id = payload.get("document_id")
        if doc_id is None or ("documents", str(doc_id)) not in hidden:
            return False
    return bool(NAME_KEYS & set((event.payload or {}).keys()))
