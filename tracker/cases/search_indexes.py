"""PostgreSQL-only indexes for the case list's free-text search (ILIKE '%term%').

A b-tree cannot serve a pattern with a leading wildcard; trigram GIN indexes (pg_trgm) can, and
PostgreSQL combines the three with a BitmapOr for `diary_number ILIKE .. OR title ILIKE .. OR
description ILIKE ..`. Not expressible as model `Index()` entries (an extension and an operator
class), so they are listed here: `tracker.db_admin.create_schema` runs them on PostgreSQL and the
Alembic migration must run the same statements (`op.execute(...)` for each, in order).
SQLite ignores them (its LIKE scans; fine at the sizes SQLite serves).
"""
from __future__ import annotations

from typing import Any

STATEMENTS: list[str] = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_cases_diary_number_trgm ON cases USING gin (diary_number gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_cases_title_trgm ON cases USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_cases_description_trgm ON cases USING gin (description gin_trgm_ops)",
]

# For a downgrade.
DROP_STATEMENTS: list[str] = [
    "DROP INDEX IF EXISTS ix_cases_description_trgm",
    "DROP INDEX IF EXISTS ix_cases_title_trgm",
    "DROP INDEX IF EXISTS ix_cases_diary_number_trgm",
]


INDEX_NAMES = frozenset({"ix_cases_diary_number_trgm", "ix_cases_title_trgm", "ix_cases_description_trgm"})


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: these indexes live outside the models, so autogenerate must not drop them."""
    return not (kind == "index" and name in INDEX_NAMES) and name != "alembic_version"
