"""Shared fixtures: one app per test session on one database (SQLite file, or a throwaway
PostgreSQL database when TEST_DATABASE_URL / DATABASE_URL names a server), each test inside a
transaction rolled back at its end, a client that logs in for real, and the audit guard that
fails any unaudited write.

How a test's writes disappear: the `app` fixture opens one connection, begins a transaction and
points the app's engine mapping at that connection; the Flask-SQLAlchemy session joins it with
`join_transaction_mode="create_savepoint"`, so every `db.session.commit()` (a view, a service
called by the test, the web layer's transaction boundary) only releases a savepoint, and session
events (`after_commit`, `after_transaction_end`) fire as in production. At the end the outer
transaction is rolled back: the next test starts from empty tables and an empty audit trail.

Opt-outs, for what needs real commits or an app of its own:
- `@pytest.mark.commits` (or the `committed_db` fixture): real commits on the app's own engine,
  visible to other connections, threads and processes (live server, concurrency tests, CLI
  commands that open their own connections); every table is emptied afterwards.
- `@pytest.mark.own_app`: a new app for this one test (it adds routes, or changes a setting read
  when the app is created); `@pytest.mark.parametrize("app", [{...}], indirect=True)` still
  passes config overrides, applied to the session app for that test and restored afterwards.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url

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
    config.update(instance_paths(tmp_path))
    config.update(SQLALCHEMY_DATABASE_URI=database_url)
    config.update(overrides)
    return config


def instance_paths(tmp_path: Path) -> dict[str, str]:
    """The per-test files (instance dir, signing key, document store) under the test's tmp_path."""
    return {
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "AUDIT_SIGNING_KEY_PATH": str(tmp_path / "instance" / "audit_signing_key.pem"),
        "DOCUMENT_STORE_PATH": str(tmp_path / "instance" / "documents"),
    }


_schema_ready: set[str] = set()


def ensure_schema(app: Flask) -> None:
    """Create the schema once per database (as the migrations would build it)."""
    from tracker.db_admin import create_schema

    with app.app_context():
        url = str(db.engine.url)
        if url not in _schema_ready:
            create_schema()
            _schema_ready.add(url)


def reset_database(app: Flask) -> None:
    """Create the schema once per database, then empty every table (after committing tests)."""
    from tracker.db_admin import empty_all_tables

    with app.app_context():
        url = str(db.engine.url)
        if url not in _schema_ready:
            ensure_schema(app)
        else:
            empty_all_tables()


def _fresh_request(sender, **extra) -> None:
    # The test's app context (and so its session) is reused by every request of the test client.
    # A request starts from what is in the database, as in production: the test's pending setup
    # (factories only flush) is committed first, so a request that rolls back keeps it; and `g`
    # would otherwise carry the logged-in user and the CSRF token from one request to the next.
    from flask import g

    db.session.commit()
    for name in list(g):
        g.pop(name, None)


def build_app(database_url: str, tmp_path: Path, **overrides) -> Flask:
    """A test app on the session's database (schema created once)."""
    from flask import request_started

    app = create_app(make_test_config(database_url, tmp_path, **overrides))
    ensure_schema(app)
    request_started.connect(_fresh_request, app)
    return app


@pytest.fixture(scope="session")
def session_app(database_url, tmp_path_factory) -> Iterator[Flask]:
    """The one app of the test session."""
    app = build_app(database_url, tmp_path_factory.mktemp("session-app"))
    yield app
    with app.app_context():
        db.engine.dispose()
    for engine in _savepoint_engines.values():
        engine.dispose()


# --- one transaction per test ------------------------------------------------------------------

_savepoint_engines: dict[str, Engine] = {}


def _savepoint_engine(app: Flask) -> Engine:
    """The engine the per-test connection comes from: the app's own engine, except on SQLite.

    pysqlite begins transactions itself (only before DML) and does not let SAVEPOINT work inside
    them; SQLAlchemy's documented recipe turns the driver's handling off and emits BEGIN from the
    `begin` event. It changes when SQLite takes its locks (a SELECT now opens the transaction), so
    it is applied to this test-only engine, not to the app's engine: committing tests and
    production keep the driver's behaviour.
    """
    engine = app.extensions["sqlalchemy"].engines[None]
    if engine.dialect.name != "sqlite":
        return engine
    url = str(engine.url)
    if url not in _savepoint_engines:
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        test_engine = create_engine(engine.url, **options)

        @event.listens_for(test_engine, "connect")
        def _no_driver_transactions(dbapi_connection, connection_record) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(test_engine, "begin")
        def _emit_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN")

        _savepoint_engines[url] = test_engine
    return _savepoint_engines[url]


@contextmanager
def rolled_back_transaction(app: Flask) -> Iterator[Connection]:
    """Bind the app's session to one connection inside a transaction, rolled back at the end.

    Flask-SQLAlchemy's `Session.get_bind` answers `db.engines[None]` whatever bind the session
    was given, so the app's engine mapping itself points at the connection for the duration.
    """
    engines = app.extensions["sqlalchemy"]._app_engines[app]
    original = engines[None]
    factory = app.extensions["sqlalchemy"].session.session_factory
    connection = _savepoint_engine(app).connect()
    transaction = connection.begin()
    engines[None] = connection
    factory.kw["join_transaction_mode"] = "create_savepoint"
    try:
        yield connection
    finally:
        db.session.remove()
        factory.kw.pop("join_transaction_mode", None)
        engines[None] = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()


def committing_test(request) -> bool:
    return request.node.get_closest_marker("commits") is not None or "committed_db" in request.fixturenames


@pytest.fixture
def committed_db() -> None:
    """Opt in to real commits (see the module docstring)."""


@contextmanager
def _per_test_state(app: Flask, tmp_path: Path, overrides: dict) -> Iterator[None]:
    """Per-test config (instance files under tmp_path, overrides) and app caches, restored after."""
    saved_config = dict(app.config)
    saved_extensions = set(app.extensions)
    app.config.update(instance_paths(tmp_path))
    app.config.update(overrides)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        app.config.clear()
        app.config.update(saved_config)
        # Caches built lazily per app (blob store, keyring, user-loader statement, page cache).
        for key in set(app.extensions) - saved_extensions:
            del app.extensions[key]


@pytest.fixture
def app(request, tmp_path) -> Iterator[Flask]:
    """The app, in an app context, with the audit guard on and a database that starts empty."""
    from tests.audit_guard import install_audit_guard

    overrides = getattr(request, "param", None) or {}
    own_app = request.node.get_closest_marker("own_app") is not None
    if own_app:
        the_app = build_app(request.getfixturevalue("database_url"), tmp_path, **overrides)
        overrides = {}
    else:
        the_app = request.getfixturevalue("session_app")
    commits = committing_test(request)
    with _per_test_state(the_app, tmp_path, overrides), the_app.app_context():
        if commits:
            remove_guard = install_audit_guard()
            try:
                yield the_app
            finally:
                remove_guard()
                db.session.remove()
                reset_database(the_app)
        else:
            with rolled_back_transaction(the_app):
                remove_guard = install_audit_guard()
                try:
                    yield the_app
                finally:
                    remove_guard()
    if own_app:
        with the_app.app_context():
            db.engine.dispose()


@contextmanager
def raw_connection() -> Iterator[Connection]:
    """A connection outside the ORM session (as a table owner or another tool would have one).

    In a rolled-back test it is the test's connection inside a savepoint; in a committing test a
    new connection whose transaction commits at the end.
    """
    db.session.flush()
    bind = db.engines[None]
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield bind
    else:
        with bind.begin() as conn:
            yield conn


# Transaction control is not a query: the drivers send BEGIN themselves in production, and the
# savepoints are this suite's doing.
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block (transaction control excluded)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            statements.append(statement)

    target = db.engines[None]
    event.listen(target, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", listener)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as statements:` lists the SQL statements the block sends."""
    return counting_queries


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
