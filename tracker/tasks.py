"""A to-do item: something waiting for one person, computed from the records (never stored).

Each feature answers "what waits for this user?" with a small query function returning `Task`s
(e.g. `tracker.meetings.queries.pending_approvals_for(user)`); `tracker.home.queries.todo_for`
composes them. A task's `key` names the thing to do (one minutes version, one counter-proposal):
the notification that announced it carries the same key, so it reads as done once the task is
gone from the list. A leaf module: no Flask request, no database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask import current_app


class TaskKind(StrEnum):
    APPROVE_MINUTES = "approve_minutes"
    REVISE_MINUTES = "revise_minutes"
    ANSWER_COUNTER_PROPOSAL = "answer_counter_proposal"
    COSIGN_RISK = "cosign_risk"
    REGISTER_DECISION = "register_decision"
    REQUEST_CENTRAL_NEGOTIATION = "request_central_negotiation"
    END_CENTRAL_NEGOTIATION = "end_central_negotiation"
    HOLD_URGENT_NEGOTIATION = "hold_urgent_negotiation"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class Task:
    """One thing `user` should do, with where to do it."""

    kind: TaskKind
    key: str
    case_id: int
    diary_number: str
    case_title: str
    url: str
    due: date | None = None
    since: datetime | None = None
    # What the task's sentence needs (meeting title, version number, deadline code...).
    params: dict[str, Any] = field(default_factory=dict, compare=False)


def app_path(endpoint: str, anchor: str = "", **values: Any) -> str:
    """A path inside the app, built without a request (CLI, signals, the digest)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path
