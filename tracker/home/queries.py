"""The to-do list ("Att göra"): what waits for the user, composed from each feature's query.

Every item is computed from the records on each call, so it disappears as soon as the thing is
done or superseded (minutes approved or replaced by a new version, a proposal answered or
withdrawn, the assessment signed or waived...). A fixed number of queries whatever the number of
cases or items: `tests/home/test_todo.py` counts them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tracker.auth.models import User
from tracker.discussion.queries import counter_proposals_to_answer_for
from tracker.meetings.queries import pending_approvals_for, refused_minutes_for
from tracker.procedure.todo import procedure_tasks_for
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


def todo_for(user: User) -> Todo:
    """Everything waiting for `user` now, across the features."""
    tasks = [*pending_approvals_for(user), *refused_minutes_for(user), *counter_proposals_to_answer_for(user),
             *cosignatures_pending_for(user), *procedure_tasks_for(user)]
    return Todo(tuple(sorted(tasks, key=_order)))
