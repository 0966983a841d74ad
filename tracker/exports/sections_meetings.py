"""The record's meetings section: every meeting with its attendees and every minutes version with
its signatures, in a fixed number of queries whatever the number of meetings."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from tracker.cases.models import Case
from tracker.exports.serialise import iso, person
from tracker.extensions import db
from tracker.meetings.models import Meeting, MeetingAttendee, Minutes, MinutesSignature, MinutesVersion
from tracker.procedure.stages import stage_label


def meetings(case: Case) -> list[dict[str, Any]]:
    """Every meeting with attendees and every minutes version with its signatures (voided too)."""
    rows = db.session.execute(
        select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.starts_at, Meeting.id)
    ).scalars().unique().all()
    attendees: dict[int, list[Any]] = defaultdict(list)
    for a in db.session.execute(
        select(MeetingAttendee).join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(Meeting.case_id == case.id).order_by(MeetingAttendee.id)
    ).scalars().unique():
        attendees[a.meeting_id].append(a)
    minutes_by_meeting = {m.meeting_id: m for m in db.session.execute(
        select(Minutes).where(Minutes.case_id == case.id)).scalars().unique()}
    versions: dict[int, list[Any]] = defaultdict(list)
    for v in db.session.execute(
        select(MinutesVersion).join(Minutes, Minutes.id == MinutesVersion.minutes_id)
        .where(Minutes.case_id == case.id).order_by(MinutesVersion.number)
    ).scalars().unique():
        versions[v.minutes_id].append(v)
    signatures: dict[int, list[Any]] = defaultdict(list)
    for s in db.session.execute(
        select(MinutesSignature).join(Minutes, Minutes.id == MinutesSignature.minutes_id)
        .where(Minutes.case_id == case.id).order_by(MinutesSignature.signed_at, MinutesSignature.id)
    ).scalars().unique():
        signatures[s.version_id].append(s)

    out = []
    for m in rows:
        minutes = minutes_by_meeting.get(m.id)
        out.append({
            "id": m.id,
            "title": m.title,
            "starts_at": iso(m.starts_at),
            "ends_at": iso(m.ends_at),
            "place": m.place or "",
            "stages": list(m.stages or []),
            "stage_labels": [stage_label(s) for s in (m.stages or [])],
            "cancelled_at": iso(m.cancelled_at),
            "cancel_reason": m.cancel_reason or "",
            "attendees": [{**person(a.user), "party": str(a.party), "present": a.present}
                          for a in attendees.get(m.id, [])],
            "minutes_status": str(minutes.status) if minutes else None,
            "minutes": [] if minutes is None else [{
                "version": v.number,
                "sha256": v.sha256,
                "created_at": iso(v.created_at),
                "created_by": person(v.author),
                "current": minutes.current_version_id == v.id,
                "status": str(minutes.status) if minutes.current_version_id == v.id else "superseded",
                "content": v.body,
                "signatures": [{
                    "party": str(s.party), "signatory": person(s.signer), "decision": str(s.decision),
                    "at": iso(s.signed_at), "sha256": s.sha256, "objection": s.objection or "",
                    "voided": s.voided_at is not None, "voided_at": iso(s.voided_at),
                } for s in signatures.get(v.id, [])],
            } for v in versions.get(minutes.id, [])],
        })
    return out
