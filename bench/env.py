"""Throwaway databases and an app bound to them."""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BENCH_SECRET = "bench-secret-key-not-for-production-0123456789abcdef"


def pg_db_name(run_id: int) -> str:
    return f"samverkan_bench_{run_id}"


def pg_url(run_id: int) -> str:
    return make_url(PG_SERVER).set(database=pg_db_name(run_id)).render_as_string(hide_password=False)


def sqlite_url(run_id: int) -> str:
    return f"sqlite:///{DATA_DIR / f'bench_{run_id}.db'}"


def _admin_engine():
    return create_engine(make_url(PG_SERVER), isolation_level="AUTOCOMMIT")


def pg_available() -> bool:
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def create_pg_database(run_id: int) -> None:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{pg_db_name(run_id)}"'))
    engine.dispose()


def drop_pg_database(run_id: int) -> None:
    engine = _admin_engine()
    name = pg_db_name(run_id)
    with engine.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def instance_dir(run_id: int) -> Path:
    return DATA_DIR / f"instance_{run_id}"


def document_keys(run_id: int) -> str:
    """One key-encryption key per run, kept in the run's instance dir."""
    path = instance_dir(run_id) / "bench_document_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    return f"bench1:{path.read_text().strip()}"


def app_config(database_url: str, run_id: int, **overrides: Any) -> dict[str, Any]:
    """Settings for a bench app: development config with the bench's DB, secrets and paths."""
    inst = instance_dir(run_id)
    inst.mkdir(parents=True, exist_ok=True)
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": BENCH_SECRET,
        "INSTANCE_DIR": str(inst),
        "AUDIT_SIGNING_KEY_PATH": str(inst / "audit_signing_key.pem"),
        "DOCUMENT_STORE_PATH": str(inst / "documents"),
        "DOCUMENT_KEYS": document_keys(run_id),
        # Checkpoints are measured on their own; bulk writes should not pay for them.
        "AUDIT_CHECKPOINT_EVERY": 0,
        "MAX_CONTENT_LENGTH": 1024 * 1024 * 1024,
        # Pages are measured with no cache of any kind: this switches off the per-process case
        # page cache for as long as it exists (an unknown setting is ignored once it is gone).
        "CASE_PAGE_CACHE_SIZE": 0,
    }
    if url.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 60}}
    config.update(overrides)
    return config


def make_app(database_url: str, run_id: int, **overrides: Any):
    """The real application factory, pointed at a bench database."""
    from tracker import create_app

    return create_app(app_config(database_url, run_id, **overrides))


def reset_schema(app) -> None:
    """Drop and recreate every table (plus the PG append-only trigger) in the bench DB."""
    from tracker.db_admin import create_schema
    from tracker.extensions import db

    with app.app_context():
        create_schema()
        db.session.remove()
