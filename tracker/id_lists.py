"""`column IN (ids)` for the long id lists of the list pages, the dashboard and the to-do list.

On PostgreSQL the ids go as one array parameter (`column = ANY(%(ids)s::INTEGER[])`) instead of
one parameter each: for a list of hundreds of cases SQLAlchemy renders, and the driver parses, a
statement of several kilobytes on every execution, and its text changes with the number of ids,
so PostgreSQL cannot reuse a prepared plan. The array goes as its text form ('{1,2,3}', cast to
INTEGER[] by the server): the driver's list adapter would inspect and quote every element, in
Python, on every execution. Elsewhere (SQLite) it is the plain expanding IN.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute

from tracker.extensions import db


def in_ids(column: ColumnElement[Any] | QueryableAttribute[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids` (an empty list matches nothing)."""
    values = [int(i) for i in ids]  # ints only: the text form below is built from them
    if db.session.get_bind().dialect.name == "postgresql":
        literal = "{" + ",".join(map(str, values)) + "}"
        return column == any_(cast(bindparam(None, literal, type_=String), ARRAY(Integer)))
    return column.in_(values)
