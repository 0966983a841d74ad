"""PostgreSQL role separation: migrations run as the owner, and the app's role can read and append
to the audit tables but not change, delete, truncate or un-trigger them."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import _server_url, throwaway_postgresql_database
from tracker.db_roles import grant_statements

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parent.parent


def test_grants_are_append_only_on_audit_tables():
    statements = grant_statements("app", ["audit_events", "cases", "alembic_version"])
    assert 'GRANT SELECT, INSERT ON "public"."audit_events" TO "app"' in statements
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."cases" TO "app"' in statements
    assert 'GRANT SELECT ON "public"."alembic_version" TO "app"' in statements
    assert not [s for s in statements if "TRUNCATE" in s or ("audit_" in s and "UPDATE" in s)]


@pytest.fixture
def separated_database(tmp_path):
    server = _server_url()
    suffix = uuid.uuid4().hex[:8]
    owner, app_role = f"svk_owner_{suffix}", f"svk_app_{suffix}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(text(f'CREATE ROLE "{app_role}" LOGIN'))
    try:
        with throwaway_postgresql_database(server, prefix="samverkan_roles") as url:
            database = make_url(url)
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{database.database}" OWNER TO "{owner}"'))
            superuser = create_engine(database, isolation_level="AUTOCOMMIT")
            with superuser.connect() as conn:
                conn.execute(text(f'ALTER SCHEMA public OWNER TO "{owner}"'))
                conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
            superuser.dispose()
            owner_url = database.set(username=owner).render_as_string(hide_password=False)
            app_url = database.set(username=app_role).render_as_string(hide_password=False)
            env = {**os.environ, "SAMVERKAN_ENV": "development", "SAMVERKAN_INSTANCE": str(tmp_path),
                   "DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url, "DATABASE_APP_ROLE": app_role,
                   "FLASK_APP": "wsgi"}
            env.pop("TEST_DATABASE_URL", None)
            result = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr
            yield create_engine(app_url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{app_role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


EVENT = ("INSERT INTO audit_events (seq, occurred_at, actor_name, action, payload, prev_hash, hash) "
         "VALUES (1, now(), 'system', 'test.appended', '{}', repeat('0', 64), repeat('a', 64))")


def _refused(engine, statement: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.execute(text(statement))
        except DBAPIError as error:
            conn.rollback()
            return "permission denied" in str(error) or "must be owner" in str(error)
        conn.rollback()
        return False


def test_the_app_role_can_append_but_not_rewrite_the_audit_tables(separated_database):
    engine = separated_database
    with engine.begin() as conn:
        conn.execute(text(EVENT))
        conn.execute(text("INSERT INTO audit_checkpoints (seq, head_hash, signed_at, key_id, signature, reason) "
                          "VALUES (1, repeat('a', 64), now(), 'k', 's', 'test')"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 1
    for statement in (
        "UPDATE audit_events SET payload = '{\"forged\": true}'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_checkpoints SET seq = 0",
        "TRUNCATE audit_checkpoints",
        "DELETE FROM audit_cosignatures",
        "ALTER TABLE audit_checkpoints DROP COLUMN signature",
        "CREATE TABLE sneaky (id int)",
    ):
        assert _refused(engine, statement), statement
    # The rest of the app works as before: ordinary tables take every write.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (name, kind, created_at) VALUES ('Org', 'employer', now())"))
        conn.execute(text("UPDATE organisations SET name = 'Org 2'"))
        conn.execute(text("DELETE FROM organisations"))
    engine.dispose()
