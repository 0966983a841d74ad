"""`column IN (ids)` for the long id lists of the list pages, the dashboard and the to-do list.

On PostgreSQL the ids go as one array parameter (`column = ANY(%(ids)s::INTEGER[])`) instead of
one parameter each: for a list of hundreds of cases SQLAlchemy renders, and the driver parses, a
statement of several kilobytes on every execution, and its text changes with the number of ids,
so PostgreSQL cannot reuse a prepared plan. Elsewhere (SQLite) it is the plain expanding IN.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute

from tracker.extensions import db


def in_ids(column: ColumnElement[Any] | QueryableAttribute[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids` (an empty list matches nothing)."""
    values = list(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(values)
