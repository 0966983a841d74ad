"""Shared fixtures: an app on a fresh database (SQLite in memory, or a throwaway PostgreSQL
database when TEST_DATABASE_URL / DATABASE_URL names a server), a client that logs in for
real, and the audit guard that fails any unaudited write."""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig
from tracker import create_app
from tracker.extensions import db

IN_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items) -> None:
    """Database-specific tests are deselected (not skipped) on the other database: CI runs the
    suite once per database, so every test runs in exactly the pass it belongs to."""
    on_pg = _server_url() is not None
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgresql") and not on_pg) or (item.get_closest_marker("sqlite") and on_pg):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url and url.startswith(("postgres", "postgresql")):
        return url.replace("postgres://", "postgresql+psycopg://").replace(
            "postgresql://", "postgresql+psycopg://")
    return None


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    from tests.i18n_support import compile_translations

    compile_translations()


@contextmanager
def throwaway_postgresql_database(server: str, prefix: str = "samverkan_test") -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it afterwards."""
    base = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """One database for the session: a new PostgreSQL database, or a SQLite file."""
    server = _server_url()
    if server is None:
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"
        return
    with throwaway_postgresql_database(server) as url:
        yield url


def make_test_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        INSTANCE_DIR=str(tmp_path / "instance"),
        AUDIT_SIGNING_KEY_PATH=str(tmp_path / "instance" / "audit_signing_key.pem"),
        DOCUMENT_STORE_PATH=str(tmp_path / "instance" / "documents"),
    )
    config.update(overrides)
    return config


_schema_ready: set[str] = set()


def reset_database(app) -> None:
    """Create the schema once per database, then empty every table between tests."""
    from tracker.db_admin import create_schema, empty_all_tables

    with app.app_context():
        url = str(db.engine.url)
        if url not in _schema_ready:
            create_schema()
            _schema_ready.add(url)
        else:
            empty_all_tables()


@pytest.fixture
def app(database_url, tmp_path, request):
    overrides = getattr(request, "param", None) or {}
    app = create_app(make_test_config(database_url, tmp_path, **overrides))
    reset_database(app)
    from tests.audit_guard import install_audit_guard

    from flask import g, request_started

    def fresh_g(sender, **extra) -> None:
        # The test's app context is reused by every request of the test client, so `g` would
        # otherwise carry the logged-in user and the CSRF token from one request to the next.
        for name in list(g):
            g.pop(name, None)

    request_started.connect(fresh_g, app)
    with app.app_context():
        remove_guard = install_audit_guard()
        yield app
        remove_guard()
        db.session.remove()
    request_started.disconnect(fresh_g, app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Browserless:
    """Helpers for driving the app over HTTP as a user would: real login, real CSRF tokens."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        response = self.client.get(path)
        return csrf_token_from(response.get_data(as_text=True))

    def login(self, email: str, password: str):
        token = self.token("/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def post(self, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
        token = self.token(token_from or "/account")
        payload = dict(data or {})
        payload["csrf_token"] = token
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def web(client) -> Browserless:
    return Browserless(client)


@pytest.fixture
def factory(app):
    from tests.factories import Factory

    return Factory()


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip on a developer's machine; in CI a missing part is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
