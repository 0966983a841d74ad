"""Schema helpers for tests and benchmarks (production uses the Alembic migrations)."""
from __future__ import annotations

from sqlalchemy import text

from tracker.audit.triggers import INSTALL_SQL
from tracker.extensions import db


def create_schema() -> None:
    """Every table, plus the PostgreSQL append-only trigger, as the migrations would build them."""
    db.drop_all()
    db.create_all()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            for statement in INSTALL_SQL:
                conn.execute(text(statement))
            from tracker.cases.search_indexes import STATEMENTS as SEARCH_INDEXES

            for statement in SEARCH_INDEXES:
                conn.execute(text(statement))


def empty_all_tables() -> None:
    """Remove every row (tests only). On PostgreSQL the table owner suspends the audit
    trigger for this one statement; the hash chain and checkpoints are what make that visible
    in production, where the application role does not own the table."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
