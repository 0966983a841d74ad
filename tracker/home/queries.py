"""The to-do list ("Att göra"): what waits for the user, composed from each feature's query.

Every item is computed from the records on each call, so it disappears as soon as the thing is
done or superseded (minutes approved or replaced by a new version, a proposal answered or
withdrawn, the assessment signed or waived...). A fixed number of queries whatever the number of
cases or items: `tests/home/test_todo.py` counts them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.queries import Dashboard, dashboard, dashboard_cases
from tracker.discussion.queries import counter_proposals_to_answer_for
from tracker.meetings.queries import pending_approvals_for, refused_minutes_for
from tracker.procedure.queries import ProcedureReads, procedure_reads
from tracker.procedure.todo import open_cases_of, procedure_tasks_for
from tracker.risk.queries import cosignatures_pending_for
from tracker.tasks import Task

_FAR = date.max
_EPOCH = datetime.min


@dataclass(frozen=True)
class Todo:
    """The user's tasks, most pressing first (a due date before none, earlier before later)."""

    tasks: tuple[Task, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """The keys of the open tasks (a notification whose key is not here is done)."""
        return frozenset(t.key for t in self.tasks)

    def __len__(self) -> int:
        return len(self.tasks)


def _order(task: Task) -> tuple[date, datetime, str]:
    since = task.since.replace(tzinfo=None) if task.since is not None else _EPOCH
    return (task.due or _FAR, since, task.key)


def todo_for(user: User, open_cases: Sequence[Case] | None = None, known: ProcedureReads | None = None) -> Todo:
    """Everything waiting for `user` now, across the features (`open_cases`, `known`: as for
    `procedure_tasks_for`, when already read)."""
    tasks = [*pending_approvals_for(user), *refused_minutes_for(user), *counter_proposals_to_answer_for(user),
             *cosignatures_pending_for(user), *procedure_tasks_for(user, open_cases, known)]
    return Todo(tuple(sorted(tasks, key=_order)))


@dataclass(frozen=True)
class Home:
    """What the start page shows a user who reads cases: the to-do list and the case dashboard."""

    todo: Todo
    dashboard: Dashboard


def home_for(user: User) -> Home:
    """The to-do list and the dashboard. Both look at the user's open cases (the dashboard at the
    most recent of them, or an auditor's at any), so the cases and their records and facts are
    read once, for both."""
    mine = open_cases_of(user)
    shown = dashboard_cases(user, mine)
    known = procedure_reads([*mine, *shown])
    return Home(todo_for(user, mine, known), dashboard(user, shown, known.facts))
