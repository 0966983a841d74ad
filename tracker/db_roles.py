"""PostgreSQL role separation: the migrations run as the tables' owner, the app as a role that may
only read and append to the audit tables (it cannot UPDATE, DELETE, TRUNCATE or ALTER them, so it
cannot disable the append-only trigger either: that needs ownership).

`flask db upgrade` applies these grants after migrating when DATABASE_APP_ROLE is set
(migrations/env.py), so a table a new revision adds gets its grant in the same run. Every table
whose name starts with `audit_` is append-only for the app; `alembic_version` is read-only.
"""
from __future__ import annotations

from collections.abc import Iterable

APPEND_ONLY_PREFIX = "audit_"
READ_ONLY_TABLES = ("alembic_version",)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def grant_statements(app_role: str, tables: Iterable[str], schema: str = "public") -> list[str]:
    """The GRANTs (after a REVOKE of everything) that give `app_role` exactly what the app needs."""
    role, space = _quote(app_role), _quote(schema)
    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA {space} FROM {role}",
                  f"REVOKE CREATE ON SCHEMA {space} FROM {role}",
                  f"GRANT USAGE ON SCHEMA {space} TO {role}"]
    for table in sorted(tables):
        name = f"{space}.{_quote(table)}"
        if table.startswith(APPEND_ONLY_PREFIX):
            statements.append(f"GRANT SELECT, INSERT ON {name} TO {role}")
        elif table in READ_ONLY_TABLES:
            statements.append(f"GRANT SELECT ON {name} TO {role}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {space} TO {role}")
    return statements


TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
