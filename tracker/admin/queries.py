"""Reads of the administration pages (accounts and organisations, never case content)."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth.models import Organisation, User
from tracker.extensions import db


def all_users() -> list[User]:
    """Every account, active ones first, by name (one query: roles and organisation joined)."""
    return list(db.session.execute(select(User).order_by(User.active.desc(), User.name)).scalars().unique())


def organisations_by_name() -> list[Organisation]:
    """Every organisation, by name."""
    return list(db.session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def organisation(organisation_id: int) -> Organisation | None:
    """The organisation with this id, or None."""
    return db.session.get(Organisation, organisation_id)


def organisations_with_user_counts() -> list[tuple[Organisation, int]]:
    """Every organisation with its number of users, by name (one query)."""
    rows = db.session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return [(org, count) for org, count in rows]
