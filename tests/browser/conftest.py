"""Browser tests: a live server in a thread of this process, driven by Playwright and Debian's Chromium.

Fixtures for every feature's browser tests:
- `live_server`: base URL of the app on a random port, on the test database, demo data loaded
  (the same process, so the audit guard watches its commits too);
- `page`: a fresh Playwright page (own cookies) per test; `login(page, email)` logs in through the
  form; `sign_in(page, email)` is signed in for a test about something other than the login (the form
  once per user and session, its session cookie reused afterwards, checked before each use).
Chromium is never downloaded: `/usr/bin/chromium` is used (`apt-get install chromium`). When it or
Playwright is missing the tests skip with the reason, except in CI (CI=true), where they fail.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import require_or_skip
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Short waits: a page of this app answers in milliseconds; a hang should fail fast.
TIMEOUT_MS = int(os.environ.get("BROWSER_TIMEOUT_MS", "10000"))

DEMO_LOGINS = {
    "hr_officer": "hr@example.org",
    "decision_maker": "decision@example.org",
    "union_rep": "union@example.org",
    "safety_rep": "safety@example.org",
    "auditor": "auditor@example.org",
    "admin": "admin@example.org",
}


class LiveServer:
    """The app served by werkzeug in a background thread."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # The loop checks for shutdown every poll_interval: each test's teardown waits half of it on average.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                       name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __str__(self) -> str:
        return self.url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require_or_skip(False, "playwright is not installed (pip install -r requirements-test.txt)")
        return
    require_or_skip(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_data(app):
    """The demo municipality (one user per role, plus whatever features add): a DemoContext."""
    from tests.demo_support import demo_context

    return demo_context(app)


class _ErrorCollector(logging.Handler):
    """Server-side errors (an unaudited commit raised by the audit guard, any 500) during a test."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.format(record))


@pytest.fixture
def live_server(committed_db, app, demo_data) -> Iterator[LiveServer]:
    """The app on a random local port, on this test's database with the demo data.

    Its threads use their own connections, so the test commits for real (`committed_db`).

    Any unhandled error in the server thread (a 500, the audit guard refusing a commit) fails the test.
    """
    collector = _ErrorCollector()
    errors_logger = logging.getLogger("tracker.web.errors")
    errors_logger.addHandler(collector)
    try:
        with LiveServer(app) as server:
            yield server
    finally:
        errors_logger.removeHandler(collector)
        db.session.remove()
    assert not collector.messages, "server errors during the test:\n" + "\n\n".join(collector.messages)


@pytest.fixture
def page(browser, live_server):
    """A new page in a new browser context (own cookies), Swedish and in the organisation's time zone."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    in_flight: set = set()  # the context's requests not yet answered (for switch_user)
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))
    page.requests_in_flight = in_flight
    yield page
    context.close()


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form; ends on the page the app redirects to."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action$='/login'] button[type=submit]")


# The session cookies of the first login through the form, per e-mail address. The cookie names the
# user's session token, which the demo data restores unchanged for every test; a logout or a password
# change rotates it in that test's database only.
_signed_in_cookies: dict[str, list] = {}


def sign_in(page, email: str) -> None:
    """Signed in as `email` (the demo password), for tests about something other than the login.

    The first call per user logs in through the form; later calls put that login's session cookie
    into the page's (fresh) context and check it is accepted (an authenticated page answers 200, not
    a redirect to the login page), otherwise log in through the form again. Leaves the page where it
    was (a new page: about:blank); the test goes to its page next.
    """
    from urllib.parse import urlparse

    cookies = _signed_in_cookies.get(email)
    if cookies is not None:
        page.context.add_cookies(cookies)
        if page.context.request.get("/account", max_redirects=0).status == 200:
            return
        page.context.clear_cookies()
    login(page, email)
    assert urlparse(page.url).path != "/login", f"{email} could not log in"
    _signed_in_cookies[email] = page.context.cookies()


def switch_user(page, email: str) -> None:
    """Signed in as another user in the same page (the cookies of the first dropped, no logout).

    First the page leaves its document and every request of the context is answered: the app
    refreshes the session cookie on every response, so a late one (the favicon, fetched after the
    load event) would put the first user's cookie back after the switch. Leaves the page on
    about:blank; the test goes to its page next.
    """
    import time

    page.goto("about:blank")
    deadline = time.monotonic() + 5
    while page.requests_in_flight:
        assert time.monotonic() < deadline, f"requests still in flight: {[r.url for r in page.requests_in_flight]}"
        page.wait_for_timeout(5)
    page.context.clear_cookies()
    sign_in(page, email)


def logout(page) -> None:
    with page.expect_navigation():
        page.click("form[action$='/logout'] button[type=submit]")


def switch_language(page, locale: str) -> None:
    with page.expect_navigation():
        page.click(f".language-switch a[href^='/language/{locale}?']")


# axe-core's own defaults (every rule of its WCAG 2.x A/AA and best-practice sets), with only the
# violations carrying their nodes. Only the violations come back over the pipe: the passes and the
# inapplicable rules are most of the result and nothing here reads them.
AXE_RUN = "axe.run(document, {resultTypes: ['violations']}).then(results => ({violations: results.violations}))"


def axe_violations(page) -> tuple[int, str]:
    """axe-core's violations on the current page: (count, readable report)."""
    from axe_playwright_python.base import AXE_SCRIPT, AxeResults

    if not page.evaluate("typeof window.axe === 'object'"):  # a new document: inject axe-core
        page.evaluate(AXE_SCRIPT)
    results = AxeResults(page.evaluate(AXE_RUN))
    return results.violations_count, results.generate_report()
