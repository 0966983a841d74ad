"""Malformed requests a browser never sends, made harmless before Flask reads them.

A raw (not percent-encoded) byte that is not valid UTF-8 in the query string made every page
answer 500: Werkzeug decodes `request.full_path` strictly, and `base.html` reads it. Browsers
percent-encode every non-ASCII byte, so the WSGI middleware below does the same for the rest:
`ö` sent raw arrives as `%C3%B6` (the same value), `\\xff` as `%FF` (which the form parser
decodes with replacement characters). Nothing the client sent is dropped.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from flask import Flask

# What may stay as it is in a query string (RFC 3986 query characters, plus the separators).
_SAFE = "/?:@!$&'()*+,;=-._~%"


def _percent_encode_non_ascii(query: str) -> str:
    raw = query.encode("latin-1")  # PEP 3333: the environ holds the raw bytes as latin-1 text
    if raw.isascii():
        return query
    return quote(raw, safe=_SAFE)


class QueryStringGuard:
    """WSGI middleware: percent-encode the raw non-ASCII bytes of QUERY_STRING."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING")
        if query:
            try:
                environ["QUERY_STRING"] = _percent_encode_non_ascii(query)
            except UnicodeEncodeError:  # not latin-1 text: no conforming server passes that
                environ["QUERY_STRING"] = quote(query, safe=_SAFE)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the app's WSGI callable."""
    app.wsgi_app = QueryStringGuard(app.wsgi_app)  # type: ignore[method-assign]
