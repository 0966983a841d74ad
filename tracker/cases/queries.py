"""Reads of cases: the filtered, paged case list and the home dashboard.

Each runs a fixed number of queries whatever the number of rows: the page of cases (with their
units), the capped count, and the deadline facts of the cases shown (`facts_for_cases`). Rows are
plain data, so the templates only display.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import defer, lazyload

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.labels import case_status_label
from tracker.cases.models import Case, CaseStatus, CaseUnit, MaterialChange
from tracker.cases.policy import visible_cases
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.blocks import Block, NextAction, blocks, next_action
from tracker.procedure.decision_panel import urgent_tasks_for
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.labels import deadline_status_label
from tracker.procedure.stages import stage_label

PAGE_SIZE = 25
# Count no further than needed: an exact count of a list of 100,000 cases costs more than the
# page; beyond COUNT_CAP (or the requested page) the list says "more than N".
COUNT_CAP = 1000
# A page number past this is a typo or a probe: it is served as this page (a LIMIT the database accepts).
MAX_PAGE = 100_000
# The dashboard looks at the user's most recently changed open cases, no further.
DASHBOARD_CASES = 50
DASHBOARD_ROWS = 10
DASHBOARD_UPCOMING = 10


@dataclass(frozen=True)
class NextDeadline:
    """A case's next action: its most pressing deadline or block, with its status (a
    DeadlineStatus value) and its words; a block also says why and who can lift it."""

    label: str
    due: date | None
    state: str
    state_label: str
    reason: str = ""
    lifted_by: str = ""

    @property
    def overdue(self) -> bool:
        return self.state == "missed"


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list or the dashboard (labels already translated)."""

    id: int
    diary_number: str
    title: str
    non_compliance: bool
    unit_names: tuple[str, ...]
    stage: str
    stage_label: str
    status: CaseStatus
    status_label: str
    profile_code: str
    next: NextDeadline | None


@dataclass(frozen=True)
class DeadlineItem:
    """A deadline on the dashboard, with the case it belongs to."""

    case_id: int
    diary_number: str
    title: str
    label: str
    due: date


@dataclass(frozen=True)
class BlockItem:
    """A block or lock on the dashboard: the case, why it waits, who can lift it, and when."""

    case_id: int
    diary_number: str
    title: str
    label: str
    reason: str
    lifted_by: str
    due: date | None
    overdue: bool


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters (empty values filter nothing)."""

    q: str = ""
    stage: str = ""
    unit: str = ""
    profile: str = ""
    status: str = ""
    non_compliance: bool = False


@dataclass(frozen=True)
class CaseListPage:
    """One page of the case list."""

    rows: tuple[CaseRow, ...]
    page: int
    pages: int
    total: int
    total_capped: bool


@dataclass(frozen=True)
class Dashboard:
    """The home page's view of the user's open cases."""

    rows: tuple[CaseRow, ...] = ()
    upcoming: tuple[DeadlineItem, ...] = ()
    overdue: tuple[DeadlineItem, ...] = ()
    blocks: tuple[BlockItem, ...] = ()


def deadline_state(deadline: dl.Deadline) -> str:
    """How a deadline is shown (never by colour alone): its status on the organisation-local date
    (`tracker.procedure.enums.DeadlineStatus`: upcoming, due_today, met, missed, locked, lifted, awaiting)."""
    return str(deadline.status)


def filtered_cases(user: User, filters: CaseFilters) -> Select[Case]:
    """The cases `user` may see that match `filters` (unordered, unpaged)."""
    query = visible_cases(user)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(or_(Case.diary_number.ilike(like), Case.title.ilike(like), Case.description.ilike(like)))
    if filters.stage:
        query = query.where(Case.current_stage == filters.stage, Case.status != CaseStatus.ARCHIVED)
    if filters.unit:
        query = query.where(exists().where(CaseUnit.case_id == Case.id,
                                           func.lower(CaseUnit.name) == filters.unit.strip().lower()))
    if filters.profile:
        query = query.where(Case.profile_code == filters.profile)
    if filters.status:
        query = query.where(Case.status == CaseStatus(filters.status))
    if filters.non_compliance:
        query = query.where(Case.non_compliance.is_(True))
    return query


def _load_cases(query: Select[Case], *, with_units: bool = True) -> list[Case]:
    # The lists never show the responsible HR officer (no join to users and their roles) nor the
    # long texts (a description may be 20,000 characters).
    options = [lazyload(Case.responsible_hr), defer(Case.description), defer(Case.urgent_reason)]
    if not with_units:
        options.append(lazyload(Case.units))
    return list(db.session.execute(query.options(*options)).scalars().unique())


class _Words:
    """Each label translated once per list, not once per row (a gettext call is not free)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str] = {}

    def get(self, kind: str, code: str) -> str:
        key = (kind, code)
        word = self._cache.get(key)
        if word is None:
            word = self._cache[key] = _LABELLERS[kind](code)
        return word


_LABELLERS = {"stage": stage_label, "status": case_status_label, "deadline": deadline_status_label}


def _next(action: NextAction | None, words: _Words) -> NextDeadline | None:
    if action is None:
        return None
    if action.block is not None:
        state = "missed" if action.block.overdue else "locked"
        return NextDeadline(action.label, action.due, state, words.get("deadline", state),
                            reason=action.block.reason, lifted_by=action.block.lifted_by)
    assert action.deadline is not None
    state = deadline_state(action.deadline)
    return NextDeadline(action.label, action.due, state, words.get("deadline", state))


Row = tuple[CaseRow, list[dl.Deadline], list[Block]]


def _rows(cases: Sequence[Case], today: date, *, with_units: bool = True,
          facts: Mapping[int, dl.Facts] | None = None) -> list[Row]:
    facts = ps.facts_for_cases(list(cases)) if facts is None else facts
    urgent = urgent_tasks_for(list(cases))
    words = _Words()
    out = []
    for case in cases:
        deadlines = dl.compute(facts[case.id], today)
        case_blocks = blocks(facts[case.id], today, urgent.get(case.id)) if not case.is_archived else []
        row = CaseRow(
            id=case.id, diary_number=case.diary_number, title=case.title, non_compliance=case.non_compliance,
            unit_names=tuple(u.name for u in case.units) if with_units else (),
            stage=case.current_stage, stage_label=words.get("stage", case.current_stage),
            status=case.status, status_label=words.get("status", case.status), profile_code=case.profile_code,
            next=_next(next_action(deadlines, case_blocks, today), words))
        out.append((row, deadlines, case_blocks))
    return out


def case_rows(cases: Sequence[Case]) -> list[CaseRow]:
    """Cases with their next deadline (a fixed number of queries for any number of cases)."""
    return [row for row, _deadlines, _blocks in _rows(cases, ps.today())]


def case_list(user: User, filters: CaseFilters, wanted_page: int = 1) -> CaseListPage:
    """One page (newest first) of the cases `user` may see matching `filters`, with a capped count."""
    query = filtered_cases(user, filters)
    wanted = min(max(1, wanted_page), MAX_PAGE)
    limit = max(COUNT_CAP, wanted * PAGE_SIZE) + 1
    total = db.session.execute(select(func.count()).select_from(
        query.with_only_columns(Case.id).order_by(None).limit(limit).subquery())).scalar_one()
    capped = total >= limit
    if capped:
        total = limit - 1
    pages = max(1, math.ceil(total / PAGE_SIZE)) + (1 if capped else 0)
    page = min(wanted, pages)
    cases = _load_cases(query.order_by(Case.created_at.desc(), Case.id.desc())
                        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)) if total else []
    return CaseListPage(rows=tuple(case_rows(cases)), page=page, pages=pages, total=total, total_capped=capped)


def dashboard_cases(user: User, open_cases: Sequence[Case] | None = None) -> list[Case]:
    """The open cases the dashboard looks at: the user's most recently changed, at most DASHBOARD_CASES.

    `open_cases`: the open cases the user takes part in, most recently changed first, when already
    read (`tracker.procedure.todo.open_cases_of`, at least DASHBOARD_CASES of them when there are
    so many). Anyone but an auditor sees exactly those (`visible_cases`), so no query then."""
    if not has_permission(user, Permission.CASE_VIEW):
        return []
    if open_cases is not None and not user.has_role(Role.AUDITOR):
        return list(open_cases[:DASHBOARD_CASES])
    return _load_cases(visible_cases(user).where(Case.status != CaseStatus.ARCHIVED)
                       .order_by(Case.updated_at.desc(), Case.id.desc()).limit(DASHBOARD_CASES), with_units=False)


def dashboard(user: User, cases: Sequence[Case] | None = None,
              facts: Mapping[int, dl.Facts] | None = None) -> Dashboard:
    """The user's open cases with their next deadline, the upcoming deadlines and the overdue ones.

    Its rows carry no unit names (the dashboard does not show them): one query fewer. `cases`:
    `dashboard_cases(user)` when already read; `facts`: their deadline facts (and maybe other
    cases'), when already read (the home page reads them once for its to-do list too)."""
    if not has_permission(user, Permission.CASE_VIEW):
        return Dashboard()
    cases = dashboard_cases(user) if cases is None else cases
    today = ps.today()
    rows = _rows(cases, today, with_units=False, facts=facts)
    overdue: list[DeadlineItem] = []
    upcoming: list[DeadlineItem] = []
    held: list[BlockItem] = []
    for row, deadlines, case_blocks in rows:
        held.extend(BlockItem(row.id, row.diary_number, row.title, b.label, b.reason, b.lifted_by, b.due, b.overdue)
                    for b in case_blocks)
        for d in deadlines:
            if d.due is None:
                continue
            item = DeadlineItem(row.id, row.diary_number, row.title, d.label, d.due)
            if d.overdue:
                overdue.append(item)
            elif d.met is None and d.due >= today and d.code != dl.MIN_NEGOTIATION:
                upcoming.append(item)
    upcoming.sort(key=lambda item: item.due)
    overdue.sort(key=lambda item: item.due)
    held.sort(key=lambda item: (item.due or today, item.diary_number))
    return Dashboard(rows=tuple(row for row, _d, _b in rows[:DASHBOARD_ROWS]),
                     upcoming=tuple(upcoming[:DASHBOARD_UPCOMING]), overdue=tuple(overdue), blocks=tuple(held))


def has_open_material_change(case: Case) -> bool:
    """A material change after closing waits for HR's choice (reopen or keep). One query."""
    return db.session.execute(select(MaterialChange.id).where(
        MaterialChange.case_id == case.id, MaterialChange.resolution.is_(None)).limit(1)).first() is not None


def negotiation_closed(case: Case) -> bool:
    """The current round of the closing stage is completed: material changes now raise the warning."""
    return ps.current_records(case)[Stage.CLOSING].status == StageStatus.COMPLETED
