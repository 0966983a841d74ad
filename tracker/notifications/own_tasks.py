"""The writer's own notifications, done as soon as the writer does the task.

The to-do list is computed when it is shown, and a notification whose task is no longer on it is
marked done when the home page or the notification list is shown. Between the two, the header's
unread count would still count the task the person has just done (approve the minutes, answer the
counter-proposal) until they next open one of those pages. So after each successful write by a
signed-in person, in the same transaction, their waiting task notifications are checked against
their to-do list: one small query when nothing waits, the to-do list only when something does.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.home.queries import todo_for
from tracker.notifications.models import Notification
from tracker.notifications.services import resolve_done

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def resolve_own_done(user: User) -> int:
    """Mark done the user's task notifications whose task is no longer theirs; how many."""
    waiting = db.session.execute(select(Notification.id).where(
        Notification.user_id == user.id, Notification.task_key.is_not(None),
        Notification.resolved_at.is_(None)).limit(1)).first()
    if waiting is None:
        return 0
    return resolve_done(user, todo_for(user).keys)


def after_write(_app: Any, **_extra: Any) -> None:
    """`request_succeeding` receiver: a write by a signed-in person resolves their done tasks."""
    if request.method in _READS or not getattr(current_user, "is_authenticated", False):
        return
    resolve_own_done(current_user._get_current_object())
