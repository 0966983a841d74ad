"""The procedure engine: stage transitions, positions, closing, decision, evaluation."""
from __future__ import annotations

from sqlalchemy import select

from tracker.cases.models import Case
from tracker.extensions import db
from tracker.procedure.models import StageRecord, StageStatus
from tracker.procedure.stages import STAGES
from tracker.timeutil import utcnow


def initialise_stages(case: Case) -> list[StageRecord]:
    """Round 1 of every stage: the first active, the rest pending (called by open_case)."""
    now = utcnow()
    records = []
    for i, code in enumerate(STAGES):
        rec = StageRecord(case_id=case.id, stage_code=code, round=1,
                          status=StageStatus.ACTIVE if i == 0 else StageStatus.PENDING, content={})
        if i == 0:
            rec.started_at = now
            rec.started_by_id = case.responsible_hr_id
        records.append(rec)
    db.session.add_all(records)
    db.session.flush()
    return records


def current_records(case: Case) -> dict[str, StageRecord]:
    """The current (not frozen) round of each stage, by code."""
    rows = db.session.execute(
        select(StageRecord).where(StageRecord.case_id == case.id, StageRecord.superseded_at.is_(None))
    ).scalars().all()
    return {r.stage_code: r for r in rows}
