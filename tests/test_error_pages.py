"""Friendly error pages in the user's language, never a stack trace."""
from __future__ import annotations

import pytest

from tracker.web.access import public

SWEDISH = {
    400: "Felaktig begäran", 403: "Åtkomst nekad", 404: "Sidan hittades inte", 405: "Metoden är inte tillåten",
    413: "Filen är för stor", 429: "För många försök", 500: "Ett fel uppstod",
}
ENGLISH = {
    400: "Bad request", 403: "Access denied", 404: "Page not found", 405: "Method not allowed",
    413: "The file is too large", 429: "Too many attempts", 500: "An error occurred",
}
# Every test here registers routes of its own, which Flask allows only before an app's first request.
pytestmark = pytest.mark.own_app

LEAKS = ("Traceback", "werkzeug", "File \"", "RuntimeError", "deliberate failure")


def _register_test_routes(app) -> None:
    from flask import abort

    @app.get("/__test__/boom")
    @public
    def boom():
        raise RuntimeError("deliberate failure for the 500 page")

    @app.get("/__test__/throttled")
    @public
    def throttled():
        abort(429)


@pytest.fixture
def errors_client(app, factory):
    _register_test_routes(app)
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    web.hr = factory.user("hr_officer")
    return web


def _trigger(web, status: int):
    if status == 400:  # a POST without its CSRF token
        return web.client.post("/login", data={"email": "a@example.org", "password": "x"})
    if status == 403:
        web.login(web.hr.email, "correct-horse-battery")
        return web.client.get("/admin/users")
    if status == 404:
        return web.client.get("/no/such/page")
    if status == 405:
        return web.client.get("/logout")
    if status == 413:
        web.client.application.config["MAX_CONTENT_LENGTH"] = 1024
        return web.client.post("/login", data={"email": "a" * 5000, "password": "x"})
    if status == 429:
        return web.client.get("/__test__/throttled")
    if status == 500:
        return web.client.get("/__test__/boom")
    raise AssertionError(status)


def _assert_friendly(response, status: int, title: str):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert title in html, html
    assert f"({status})" in html
    assert 'href="/"' in html  # a way back
    for leak in LEAKS:
        assert leak not in html


@pytest.mark.parametrize("status", sorted(SWEDISH))
def test_error_pages_are_friendly_and_swedish_by_default(errors_client, status):
    response = _trigger(errors_client, status)
    _assert_friendly(response, status, SWEDISH[status])
    assert 'lang="sv"' in response.get_data(as_text=True)


@pytest.mark.parametrize("status", sorted(ENGLISH))
def test_error_pages_in_english_after_switching(errors_client, status):
    errors_client.post("/language", {"locale": "en", "next": "/login"}, token_from="/login")
    response = _trigger(errors_client, status)
    _assert_friendly(response, status, ENGLISH[status])
    assert 'lang="en"' in response.get_data(as_text=True)


def test_csrf_error_explains_what_to_do(errors_client):
    html = _trigger(errors_client, 400).get_data(as_text=True)
    assert "säkerhetstoken" in html


def test_500_is_logged_and_rolled_back(errors_client, caplog):
    response = _trigger(errors_client, 500)
    assert response.status_code == 500
    assert any("Unhandled error" in r.getMessage() for r in caplog.records)


def test_domain_error_maps_to_its_status(app, client):
    from tracker.errors import GateClosed

    @app.get("/__test__/gate")
    @public
    def gate():
        raise GateClosed("Skedet kan inte avslutas.", reasons=["Styrnings- och uppföljningsgruppen saknar en företrädare för personalen."])

    response = client.get("/__test__/gate")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Skedet kan inte avslutas." in html and "Styrnings- och uppföljningsgruppen saknar en företrädare för personalen." in html
