"""What the procedure asks of a user now (the home page's to-do list): register the decision,
request or end a central negotiation, the deadlines of the coming week.

Computed from the records on every call (never stored), over the user's open cases, with a fixed
number of queries: the cases, their records, central-negotiation requests and facts
(`procedure_reads`, four; none when the home page has read them for its dashboard too), and the
user's steering parties (only for a user who may request central negotiation).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, lazyload

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case, CaseStatus
from tracker.cases.policy import involved_case_ids
from tracker.extensions import db
from tracker.id_lists import in_ids
from tracker.procedure import deadlines as dl
from tracker.procedure.decision_panel import urgent_tasks_for
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.models import CentralNegotiationRequest
from tracker.procedure.queries import ProcedureReads, blockers_from, procedure_reads, today
from tracker.procedure.record_dates import StageDates
from tracker.steering.models import Party, SteeringMember
from tracker.tasks import Task, TaskKind, app_path

MAX_CASES = 200
WEEK = 7
# "Not before" dates and the minimum period are no one's task; the rest must be met by a day.
_NOT_TASKS = {dl.MIN_NEGOTIATION, dl.EARLIEST_FIRST_MEETING, dl.EARLIEST_DECISION}


def open_cases_of(user: User) -> list[Case]:
    """The open cases the user takes part in (`involved_case_ids`: member, assigned decision maker
    or responsible HR officer; an auditor reads every case but acts in none, so not all of them),
    most recently changed first, at most MAX_CASES. Without what the to-do list never shows: the
    responsible HR officer, the units and the description. One query."""
    return list(db.session.execute(
        select(Case).where(Case.id.in_(involved_case_ids(user)), Case.status != CaseStatus.ARCHIVED)
        .order_by(Case.updated_at.desc(), Case.id.desc()).limit(MAX_CASES)
        .options(lazyload(Case.responsible_hr), lazyload(Case.units), defer(Case.description))).scalars().unique())


def _parties(user: User, cases: Sequence[Case]) -> dict[int, Party]:
    if not cases:
        return {}
    return {case_id: Party(party) for case_id, party in db.session.execute(
        select(SteeringMember.case_id, SteeringMember.party).where(
            SteeringMember.user_id == user.id, SteeringMember.left_at.is_(None),
            in_ids(SteeringMember.case_id, [c.id for c in cases])))}


def _task(kind: TaskKind, key: str, case: Case, url: str, *, due: date | None = None,
          since: datetime | None = None, params: dict[str, Any] | None = None) -> Task:
    return Task(kind, key, case.id, case.diary_number, case.title, url, due=due, since=since, params=params or {})


def registers_decisions(user: User) -> bool:
    """A decision maker who may register decisions."""
    return user.has_role(Role.DECISION_MAKER) and has_permission(user, Permission.DECISION_REGISTER)


def decision_possible(case: Case, records: Mapping[Stage, StageDates], facts: dl.Facts, day: date) -> bool:
    """Nothing blocks registering the case's decision on `day`, and it is not registered yet (no query)."""
    decision = records.get(Stage.DECISION)
    if case.status != CaseStatus.ACTIVE or (decision is not None and decision.status == StageStatus.COMPLETED):
        return False
    return not blockers_from(case, records, facts, day)


def _decision_task(user: User, case: Case, records: Mapping[Stage, StageDates], facts: dl.Facts,
                   day: date) -> Task | None:
    """The decision maker's task once nothing blocks the decision."""
    if not registers_decisions(user) or not decision_possible(case, records, facts, day):
        return None
    return _task(TaskKind.REGISTER_DECISION, f"decision:{case.id}", case,
                 app_path("cases.stage", "stage-actions", case_id=case.id, code="decision"),
                 due=case.planned_decision_date)


def _window_task(user: User, case: Case, party: Party | None, facts: dl.Facts, day: date) -> Task | None:
    """A personnel representative may ask for central negotiation while the window is open and unused."""
    if party != Party.PERSONNEL or not has_permission(user, Permission.CENTRAL_NEGOTIATION_REQUEST):
        return None
    end = dl.central_window_ends(facts)
    if end is None or day > end or not dl.window_unused(facts) or facts.decision_on is not None:
        return None
    return _task(TaskKind.REQUEST_CENTRAL_NEGOTIATION, f"central_window:{case.id}:{end.isoformat()}", case,
                 app_path("cases.stage", "stage-actions", case_id=case.id, code="closing"), due=end)


def _deadline_tasks(case: Case, facts: dl.Facts, day: date, skip: set[str]) -> list[Task]:
    out = []
    for d in dl.compute(facts, day):
        if d.due is None or d.code in _NOT_TASKS or d.code in skip or d.overridden or d.met is not None:
            continue
        if d.overdue or day <= d.due < day + timedelta(days=WEEK):
            out.append(_task(TaskKind.DEADLINE, f"deadline:{case.id}:{d.code}:{d.due.isoformat()}", case,
                             app_path("cases.detail", "deadlines", case_id=case.id), due=d.due,
                             params={"deadline": str(d.code), "overdue": d.overdue}))
    return out


def _central_pending(user: User, cases: Sequence[Case],
                     requests: Mapping[int, Sequence[CentralNegotiationRequest]]) -> list[Task]:
    """Timely central negotiations still running in the cases the user is responsible for (from
    the cases' requests, already read)."""
    mine = {c.id: c for c in cases if c.responsible_hr_id == user.id}
    if not mine or not user.has_role(Role.HR_OFFICER):
        return []
    return [_task(TaskKind.END_CENTRAL_NEGOTIATION, f"central:{r.id}", case,
                  app_path("cases.stage", "stage-actions", case_id=case_id, code="closing"), since=r.requested_at)
            for case_id, case in mine.items() for r in requests.get(case_id, ())
            if r.ended_at is None and r.timely]


def _urgent_negotiations(user: User, cases: Sequence[Case]) -> list[Task]:
    """After an urgent decision the responsible HR officer must hold and end the negotiation by its day."""
    mine = [c for c in cases if c.responsible_hr_id == user.id and c.urgent_recorded_at is not None]
    if not mine or not user.has_role(Role.HR_OFFICER):
        return []
    by_id = {c.id: c for c in mine}
    return [_task(TaskKind.HOLD_URGENT_NEGOTIATION, f"urgent:{case_id}", by_id[case_id],
                  app_path("cases.stage", "stage-actions", case_id=case_id, code="closing"), due=task.due,
                  params={"overdue": task.overdue})
            for case_id, task in urgent_tasks_for(mine).items() if not task.done]


def procedure_tasks_for(user: User, cases: Sequence[Case] | None = None,
                        known: ProcedureReads | None = None) -> list[Task]:
    """The procedure's tasks for `user` across their open cases (a fixed number of queries).

    `cases`: `open_cases_of(user)` when already read; `known`: their records and facts (and
    maybe other cases'), when already read (the home page reads them once for its dashboard too)."""
    if not has_permission(user, Permission.CASE_VIEW):
        return []
    cases = open_cases_of(user) if cases is None else cases
    if not cases:
        return []
    reads = known if known is not None else procedure_reads(cases)
    records, facts = reads.records, reads.facts
    # The party only decides the personnel's central-negotiation task: no query for anyone else.
    parties = _parties(user, cases) if has_permission(user, Permission.CENTRAL_NEGOTIATION_REQUEST) else {}
    day = today()
    out: list[Task] = []
    for case in cases:
        found = [_decision_task(user, case, records[case.id], facts[case.id], day),
                 _window_task(user, case, parties.get(case.id), facts[case.id], day)]
        tasks = [t for t in found if t is not None]
        # The open window is already the personnel's own task; no second line for its last day.
        skip = {str(dl.CENTRAL_WINDOW)} if any(t.kind == TaskKind.REQUEST_CENTRAL_NEGOTIATION for t in tasks) else set()
        out.extend(tasks)
        out.extend(_deadline_tasks(case, facts[case.id], day, skip))
    out.extend(_central_pending(user, cases, reads.requests))
    out.extend(_urgent_negotiations(user, cases))
    return out
