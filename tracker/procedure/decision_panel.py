"""The decision stage's extra panel data: the decision body (assigned decision makers and their
history), the mandatory negotiation after an urgent decision, material changes after closing
awaiting HR's choice, and the decision statement once the decision is possible.

Plain data for `templates/cases/_decision_body.html` and friends; a fixed number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defaultload, lazyload

from tracker.auth.loading import NAME_ONLY
from tracker.auth.models import Role, User, UserRole
from tracker.cases.labels import material_field_label, material_value
from tracker.cases.models import Case, CaseDecisionMaker, MaterialChange
from tracker.cases.policy import can_assign_decision_makers, can_edit_case
from tracker.extensions import db
from tracker.id_lists import in_ids
from tracker.procedure import queries as pq
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.models import StageRecord
from tracker.procedure.policy import can_export_statement
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.procedure.statement import Statement
from tracker.procedure.statement_data import decision_statement
from tracker.procedure.urgent import UrgentTask, urgent_task
from tracker.timeutil import local_date


@dataclass(frozen=True)
class DecisionMakerRow:
    id: int
    name: str
    assigned_at: datetime
    ended_at: datetime | None
    end_reason: str

    @property
    def current(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class MaterialChangeRow:
    id: int
    changed_at: datetime
    changes: tuple[tuple[str, str, str], ...]  # (label, from, to), translated


@dataclass(frozen=True)
class DecisionExtras:
    decision_makers: tuple[DecisionMakerRow, ...] = ()
    may_assign: bool = False
    candidates: tuple[tuple[int, str], ...] = ()
    urgent: UrgentTask | None = None
    urgent_reason: str | None = None
    material_changes: tuple[MaterialChangeRow, ...] = ()
    may_resolve_material: bool = False
    statement: Statement | None = None
    may_export_statement: bool = False

    @property
    def current_decision_makers(self) -> tuple[DecisionMakerRow, ...]:
        return tuple(row for row in self.decision_makers if row.current)


# Built once (the case page runs them on every view): see tracker/procedure/facts.py.
_DECISION_MAKERS = (
    select(CaseDecisionMaker).where(CaseDecisionMaker.case_id == bindparam("case_id")).order_by(CaseDecisionMaker.id)
    .options(defaultload(CaseDecisionMaker.user).options(*NAME_ONLY), lazyload(CaseDecisionMaker.assigned_by),
             lazyload(CaseDecisionMaker.ended_by)))
_CANDIDATES = (select(User.id, User.name).join(UserRole, UserRole.user_id == User.id)
               .where(UserRole.role == Role.DECISION_MAKER, User.active.is_(True)).order_by(User.name, User.id))
_OPEN_MATERIAL_CHANGES = (select(MaterialChange)
                          .where(MaterialChange.case_id == bindparam("case_id"), MaterialChange.resolution.is_(None))
                          .order_by(MaterialChange.id))


def decision_makers_of(case: Case) -> list[CaseDecisionMaker]:
    """Every assignment of the case, current and ended, oldest first, with the decision maker's
    name (who assigned or ended it is not loaded). One query."""
    return list(db.session.execute(_DECISION_MAKERS, {"case_id": case.id}).scalars().unique())


def decision_maker_candidates(case: Case, exclude: set[int]) -> list[tuple[int, str]]:
    """Active users holding the decision-maker role, not currently assigned. One query."""
    return [(uid, name) for uid, name in db.session.execute(_CANDIDATES).all() if uid not in exclude]


def open_material_changes(case: Case) -> list[MaterialChange]:
    """Material changes after closing still waiting for HR's choice. One query."""
    return list(db.session.execute(_OPEN_MATERIAL_CHANGES, {"case_id": case.id}).scalars())


def _closing_completed(case: Case) -> bool:
    status = db.session.execute(select(StageRecord.status).where(
        StageRecord.case_id == case.id, StageRecord.stage_code == Stage.CLOSING,
        StageRecord.superseded_at.is_(None))).scalar()
    return status == StageStatus.COMPLETED


def case_urgent_task(case: Case) -> UrgentTask | None:
    """The mandatory negotiation of a case with an urgent decision (None without one)."""
    if case.urgent_recorded_at is None:
        return None
    try:
        settings = get_profile(case.profile_code).settings
    except ProfileError:
        return None
    return urgent_task(local_date(case.urgent_recorded_at), settings, closing_completed=_closing_completed(case),
                       today=pq.today())


def _decision_possible(case: Case) -> bool:
    records = pq.current_records(case)
    if records[Stage.DECISION].status == StageStatus.COMPLETED:
        return True
    return not pq.decision_blockers(case)


def decision_extras(user: User, case: Case, *, with_statement: bool = True) -> DecisionExtras:
    """The decision stage's extra data for `user`; the decision statement (the costliest part: it
    reads the meetings, minutes, documents and cited events) only `with_statement`, i.e. when the
    decision stage is shown."""
    assignments = decision_makers_of(case)
    rows = tuple(DecisionMakerRow(a.id, a.user.name, a.assigned_at, a.ended_at, a.end_reason) for a in assignments)
    may_assign = can_assign_decision_makers(user, case)
    candidates = tuple(decision_maker_candidates(case, {a.user_id for a in assignments if a.is_current})) \
        if may_assign else ()
    changes = tuple(MaterialChangeRow(c.id, c.changed_at, tuple(
        (material_field_label(name), material_value(name, d.get("from")), material_value(name, d.get("to")))
        for name, d in (c.changes or {}).items())) for c in open_material_changes(case))
    statement = decision_statement(case) if with_statement and _decision_possible(case) else None
    return DecisionExtras(
        decision_makers=rows, may_assign=may_assign, candidates=candidates,
        urgent=case_urgent_task(case), urgent_reason=case.urgent_reason,
        material_changes=changes, may_resolve_material=bool(changes) and can_edit_case(user, case),
        statement=statement, may_export_statement=statement is not None and can_export_statement(user, case),
    )


def urgent_tasks_for(cases: list[Case]) -> dict[int, UrgentTask]:
    """The open or done mandatory-negotiation task of each case with an urgent decision (lists,
    dashboard): one query, none when no case has one."""
    urgent = [c for c in cases if c.urgent_recorded_at is not None]
    if not urgent:
        return {}
    completed = set(db.session.execute(select(StageRecord.case_id).where(
        in_ids(StageRecord.case_id, [c.id for c in urgent]), StageRecord.stage_code == Stage.CLOSING,
        StageRecord.superseded_at.is_(None), StageRecord.status == StageStatus.COMPLETED)).scalars())
    today = pq.today()
    out: dict[int, UrgentTask] = {}
    for case in urgent:
        try:
            settings = get_profile(case.profile_code).settings
        except ProfileError:
            continue
        assert case.urgent_recorded_at is not None
        task = urgent_task(local_date(case.urgent_recorded_at), settings, closing_completed=case.id in completed,
                           today=today)
        if task is not None:
            out[case.id] = task
    return out
