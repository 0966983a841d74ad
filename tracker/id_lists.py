"""`column IN (ids)` for the long id lists of the list pages, the dashboard and the to-do list.

On PostgreSQL the ids go as one array parameter (`column = ANY(%(ids)s::INTEGER[])`) instead of
one parameter each: for a list of hundreds of cases SQLAlchemy renders, and the driver parses, a
statement of several kilobytes on every execution, and its text changes with the number of ids,
so PostgreSQL cannot reuse a prepared plan. The array goes as its text form ('{1,2,3}', cast to
INTEGER[] by the server): the driver's list adapter would inspect and quote every element, in
Python, on every execution. Elsewhere (SQLite) it is the plain expanding IN.

`in_ids` puts the ids into the statement. A statement built once (per dialect, `dialect_name()`)
takes `ids_clause(column, dialect)` instead, and the ids as `ids_value(ids)` in its parameters.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute

from tracker.extensions import db

IDS = "ids"


def dialect_name() -> str:
    """The dialect of the session's database ("postgresql", "sqlite")."""
    return db.session.get_bind().dialect.name


def ids_clause(column: ColumnElement[Any] | QueryableAttribute[Any], dialect: str,
               name: str = IDS) -> ColumnElement[bool]:
    """`column IN :name` for a statement built once for `dialect`; the value is `ids_value(ids)`."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name, type_=String), ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def ids_value(ids: Iterable[int]) -> str | list[int]:
    """The parameter value of an `ids_clause` on the session's database."""
    values = [int(i) for i in ids]  # ints only: the text form is built from them
    if dialect_name() == "postgresql":
        return "{" + ",".join(map(str, values)) + "}"
    return values


def in_ids(column: ColumnElement[Any] | QueryableAttribute[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids` (an empty list matches nothing)."""
    value = ids_value(ids)
    if isinstance(value, str):  # PostgreSQL: the array's text form
        return column == any_(cast(bindparam(None, value, type_=String), ARRAY(Integer)))
    return column.in_(value)
