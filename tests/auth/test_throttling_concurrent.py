"""Throttling holds under concurrency: parallel wrong passwords against a real multi-process server.

Gunicorn runs several worker processes (each with threads) on the test's PostgreSQL database, so
the attempts race in separate processes and connections, as on a production host.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tracker.auth.models import LoginAttempt
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PARALLEL = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/login", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail("gunicorn did not answer within the timeout")


class _Client:
    """One browser: its own cookie jar, hence its own session and CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def login_token(self) -> str:
        with self.opener.open(self.base + "/login", timeout=30) as response:
            return csrf_token_from(response.read().decode())

    def post_login(self, email: str, password: str, token: str) -> int:
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + "/login", data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def server(app, tmp_path):
    """Gunicorn (3 workers × 4 threads) on the test's database; stopped at the end of the test."""
    port = _free_port()
    env = dict(os.environ,
               SAMVERKAN_ENV="testing",
               TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SAMVERKAN_INSTANCE=str(tmp_path / "server"),
               AUDIT_SIGNING_KEY_PATH=app.config["AUDIT_SIGNING_KEY_PATH"],
               DOCUMENT_STORE_PATH=str(tmp_path / "server" / "documents"),
               LOGIN_MAX_FAILURES=str(app.config["LOGIN_MAX_FAILURES"]))
    (tmp_path / "server").mkdir()
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "3", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.postgresql
@pytest.mark.commits
def test_parallel_wrong_passwords_are_checked_at_most_the_limit(app, factory, server):
    user = factory.user("hr_officer")
    db.session.commit()
    email = user.email  # read here: the threads have no app context
    limit = app.config["LOGIN_MAX_FAILURES"]

    clients = [_Client(server) for _ in range(PARALLEL)]
    tokens = [client.login_token() for client in clients]
    start = threading.Barrier(PARALLEL, timeout=60)

    def attempt(index: int) -> int:
        start.wait()
        return clients[index].post_login(email, "wrong-password-1", tokens[index])

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = Counter(pool.map(attempt, range(PARALLEL), timeout=120))

    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] <= limit, statuses
    assert statuses[401] + statuses[429] == PARALLEL
    db.session.expire_all()
    recorded = db.session.execute(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)).scalar_one()
    assert recorded == PARALLEL
    # And the account is throttled now, even with the right password.
    client = _Client(server)
    assert client.post_login(email, factory.password, client.login_token()) == 429
