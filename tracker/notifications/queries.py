"""Reads of a user's notifications."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.models import Notification


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the header's badge)."""
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def list_for(user: User, *, limit: int = 50, offset: int = 0) -> list[Notification]:
    """The user's notifications, newest first (one query)."""
    return list(db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    ).scalars())


def count_for(user: User) -> int:
    """How many notifications the user has in all."""
    return db.session.execute(select(func.count(Notification.id)).where(Notification.user_id == user.id)).scalar_one()
