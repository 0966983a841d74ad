"""Response headers that every page carries: no caching of what a signed-in user sees, a strict
Content Security Policy, framing and sniffing off, and HSTS where the app is served over HTTPS."""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# One year, as the HSTS preload list asks; only sent where HTTPS is configured (production).
HSTS = "max-age=31536000; includeSubDomains"


def _headers(app: Flask, response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "static":
        # Case content, documents and lists must not stay in a browser's or a proxy's cache.
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if app.config.get("HSTS_ENABLED"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        return _headers(app, response)
