"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

`flask db upgrade` runs on a fresh, empty database; then Alembic's autogenerate comparison
must find no difference between that database and the models' metadata.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from tests.conftest import _server_url, make_test_config, throwaway_postgresql_database
from tracker import create_app
from tracker.cases.search_indexes import include_object
from tracker.extensions import db


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """A new, empty database of the kind the suite runs on."""
    server = _server_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with throwaway_postgresql_database(server, prefix="samverkan_mig") as url:
        yield url


def test_migrations_agree_with_models(fresh_database_url, tmp_path):
    app = create_app(make_test_config(fresh_database_url, tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)

    with app.app_context():
        try:
            tables = set(inspect(db.engine).get_table_names())
            assert "alembic_version" in tables, "flask db upgrade did not run any migration"
            expected = {t.name for t in db.metadata.sorted_tables}
            assert expected <= tables, f"tables missing after upgrade: {sorted(expected - tables)}"
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True, "render_as_batch": True,
                    "include_object": include_object,
                })
                differences = compare_metadata(context, db.metadata)
            assert differences == [], "models and migrations disagree (run `flask db migrate`):\n" + "\n".join(
                repr(d) for d in differences)
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgresql
def test_migrations_install_the_append_only_trigger_on_postgresql(fresh_database_url, tmp_path):
    assert fresh_database_url.startswith("postgresql")
    app = create_app(make_test_config(fresh_database_url, tmp_path))
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                triggers = conn.execute(text(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
                )).scalars().all()
            assert triggers, "no trigger on audit_events after `flask db upgrade`"
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgresql
def test_migrations_install_the_search_indexes_on_postgresql(fresh_database_url, tmp_path):
    from tracker.cases.search_indexes import INDEX_NAMES

    app = create_app(make_test_config(fresh_database_url, tmp_path))
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                names = set(conn.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'cases'")).scalars())
            assert INDEX_NAMES <= names, f"missing: {sorted(INDEX_NAMES - names)}"
        finally:
            db.session.remove()
            db.engine.dispose()


def test_revisions_import_nothing_from_the_application():
    """A revision is frozen history: it carries its own SQL, so changing the app cannot change it."""
    import ast
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    revisions = sorted(versions.glob("*.py"))
    assert revisions, "no migration revisions found"
    offenders = []
    for path in revisions:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n == "tracker" or n.startswith("tracker.")]
    assert offenders == []
