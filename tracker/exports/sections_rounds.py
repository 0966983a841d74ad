"""The record's rounds: every round of the case (each reopening starts one) with the dates its
deadlines count from (proposal delivery, first meeting, end of negotiations, decision) and its
deadlines, earlier rounds frozen as they stood when they ended (`tracker.procedure.rounds`)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.cases.models import Case
from tracker.exports.serialise import iso
from tracker.procedure.deadlines import Deadline
from tracker.procedure.labels import end_mode_label, stage_label
from tracker.procedure.rounds import round_history


def rounds(case: Case, current: Sequence[Deadline] | None = None) -> list[dict[str, Any]]:
    """Every round, oldest first; the last is the current one (`frozen_at` null; its deadlines
    `current` when already computed)."""
    out = []
    for r in round_history(case, current=current):
        out.append({
            "round": r.number,
            "began_at": iso(r.began_at),
            "frozen_at": iso(r.frozen_at),
            "reopened_stage": r.reopened_stage,
            "reopened_stage_label": stage_label(r.reopened_stage) if r.reopened_stage else None,
            "reason": r.reason,
            "proposal_delivered_at": iso(r.proposal_delivered_at),
            "first_meeting_at": iso(r.first_meeting_at),
            "negotiation_ended_at": iso(r.negotiation_ended_at),
            "end_mode": r.end_mode,
            "end_mode_label": end_mode_label(r.end_mode) if r.end_mode else None,
            "decision_on": iso(r.decision_on),
            "deadlines": [{"code": d.code, "label": str(d.label), "due": iso(d.due), "basis": str(d.basis or ""),
                           "met": d.met, "overdue": bool(d.overdue), "overridden": bool(d.overridden),
                           "status": str(d.status), "status_label": d.status_label} for d in r.deadlines],
            "overrides": [o.deadline_code for o in r.overrides],
        })
    return out
