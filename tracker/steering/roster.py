"""The steering group of one case, read once per session state: every membership, past and
present, in one query, kept in the session (`session.info`) until its next flush, commit or
rollback. One page asks about the group a dozen times (is the reader a member, which party do
they speak for, are they the chair, which parties and units are present, who are the members),
and the group cannot change in between without a flush: a pending, unflushed change to a
membership is noticed and the group read again (which flushes it first).

A leaf module (models only), so the policies of every feature may use it.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, object_session

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.steering.models import SteeringMember

MEMO = "steering.roster"
# Built once: every case page and most case routes read the group.
_MEMBERSHIPS = (select(SteeringMember).where(SteeringMember.case_id == bindparam("case_id"))
                .order_by(SteeringMember.joined_at, SteeringMember.id))


def forget(session: Session, *_args: object) -> None:
    """Drop the remembered groups (a session listener: after flush, commit and rollback)."""
    session.info.pop(MEMO, None)


def _changing(session: Session) -> bool:
    """A membership added, changed or deleted but not flushed yet."""
    return any(isinstance(obj, SteeringMember) for group in (session.new, session.dirty, session.deleted)
               for obj in group)


def memberships(case: Case) -> tuple[SteeringMember, ...]:
    """Every membership of the case, past and present, by join time (one query per session state)."""
    session = object_session(case)
    if session is None or case.id is None:
        return ()
    memo: dict[int, tuple[SteeringMember, ...]] = session.info.setdefault(MEMO, {})
    if case.id not in memo or _changing(session):
        rows = tuple(session.execute(_MEMBERSHIPS, {"case_id": case.id}).scalars().unique())
        memo = session.info.setdefault(MEMO, {})  # the query's autoflush may have emptied it
        memo[case.id] = rows
    return memo[case.id]


def current(case: Case) -> tuple[SteeringMember, ...]:
    """The current members (not left), by join time."""
    return tuple(m for m in memberships(case) if m.left_at is None)


def membership_of(user: User | None, case: Case) -> SteeringMember | None:
    """The user's current membership, if any."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return None
    return next((m for m in current(case) if m.user_id == user_id), None)
