"""Headers on every response: no caching of pages, a strict CSP, HSTS and the __Host- session
cookie in production."""
from __future__ import annotations

from config import Config, ProductionConfig


def test_every_page_of_a_signed_in_user_is_not_stored(factory, web):
    case = factory.case()
    web.login(case.responsible_hr.email, factory.password)
    for path in ("/home", "/cases", f"/cases/{case.id}", "/account", f"/cases/{case.id}/meetings",
                 f"/cases/{case.id}/documents", f"/cases/{case.id}/steering"):
        response = web.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_error_pages_and_the_login_page_are_not_stored_either(client):
    for path in ("/login", "/cases/999999"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_content_security_policy_forbids_plugins_base_and_framing(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]


def test_no_hsts_where_https_is_not_configured(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_production_sends_hsts_and_a_host_prefixed_secure_cookie(app, client, monkeypatch):
    assert ProductionConfig.HSTS_ENABLED and ProductionConfig.SESSION_COOKIE_SECURE
    assert ProductionConfig.SESSION_COOKIE_NAME == "__Host-samverkan"
    assert getattr(Config, "SESSION_COOKIE_NAME", "session") != "__Host-samverkan"  # HTTP in development
    for key in ("HSTS_ENABLED", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME"):
        monkeypatch.setitem(app.config, key, getattr(ProductionConfig, key))
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-samverkan=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
