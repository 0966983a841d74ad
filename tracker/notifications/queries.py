"""Reads of a user's notifications: the header's count, the list with its filters, the digest choice."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.notifications.models import Notification, NotificationKind, NotificationPreference

UNREAD = "unread"
OPEN = "open"
STATES = ("", UNREAD, OPEN)


@dataclass(frozen=True)
class Filters:
    """The list's filters: one case, one kind, unread only or open tasks only ("" = all)."""

    case_id: int | None = None
    kind: NotificationKind | None = None
    state: str = ""

    @property
    def active(self) -> bool:
        return bool(self.case_id or self.kind or self.state)


# Built once: every page's header shows it.
_UNREAD_COUNT = (select(func.count(Notification.id))
                 .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the header's badge)."""
    return db.session.execute(_UNREAD_COUNT, {"user_id": user.id}).scalar_one()


def _filtered(query: Select, user: User, filters: Filters) -> Select:
    query = query.where(Notification.user_id == user.id)
    if filters.case_id:
        query = query.where(Notification.case_id == filters.case_id)
    if filters.kind:
        query = query.where(Notification.kind == filters.kind)
    if filters.state == UNREAD:
        query = query.where(Notification.read_at.is_(None))
    elif filters.state == OPEN:
        query = query.where(Notification.task_key.is_not(None), Notification.resolved_at.is_(None))
    return query


def list_for(user: User, filters: Filters | None = None, *, limit: int = 50,
             offset: int = 0) -> list[tuple[Notification, str | None, str | None]]:
    """The user's notifications with their case's diary number and title, newest first (one query)."""
    query = _filtered(select(Notification, Case.diary_number, Case.title)
                      .outerjoin(Case, Case.id == Notification.case_id), user, filters or Filters())
    rows = db.session.execute(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)).all()
    return [(n, diary, title) for n, diary, title in rows]


def count_for(user: User, filters: Filters | None = None) -> int:
    """How many notifications the user has in all (or matching the filters)."""
    return db.session.execute(_filtered(select(func.count(Notification.id)), user, filters or Filters())).scalar_one()


def cases_for(user: User) -> list[tuple[int, str, str]]:
    """(id, diary number, title) of every case the user has notifications about (the case filter)."""
    return [(cid, diary, title) for cid, diary, title in db.session.execute(
        select(Case.id, Case.diary_number, Case.title).where(Case.id.in_(
            select(Notification.case_id).where(Notification.user_id == user.id, Notification.case_id.is_not(None))))
        .order_by(Case.diary_number))]


def takes_daily_digest(user: User) -> bool:
    """True when the user chose one digest a day instead of a mail per notification."""
    return bool(db.session.execute(select(NotificationPreference.daily_digest).where(
        NotificationPreference.user_id == user.id)).scalar())
