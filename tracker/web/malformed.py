"""Malformed requests a browser never sends, made harmless before Flask reads them.

A raw (not percent-encoded) byte that is not valid UTF-8 in the query string made every page
answer 500: Werkzeug decodes `request.full_path` strictly, and `base.html` reads it. Browsers
percent-encode every non-ASCII byte, so the WSGI middleware below does the same for the rest:
`ö` sent raw arrives as `%C3%B6` (the same value), `\\xff` as `%FF` (which the form parser
decodes with replacement characters). Nothing the client sent is dropped.

A NUL character in a form or query value made every save on PostgreSQL fail with 500 (its text
columns cannot hold U+0000; SQLite stores it). NUL is no text anyone can type or mean, so the
request's parameters arrive without it (`NulFreeRequest`), whatever form, field or database.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict

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


class NulFreeMultiDict(ImmutableMultiDict[str, Any]):
    """Form and query parameters with every NUL character removed from their text values."""

    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, list):  # what Werkzeug's parsers hand over: (key, value) pairs
            mapping = [(key.replace("\x00", ""), value.replace("\x00", "") if isinstance(value, str) else value)
                       for key, value in mapping]
        super().__init__(mapping)


class NulFreeRequest(Request):
    """The app's request: parameters without NUL characters (see the module's docstring)."""

    parameter_storage_class = NulFreeMultiDict


def init_app(app: Flask) -> None:
    """Wrap the app's WSGI callable; parse parameters without NUL characters."""
    app.wsgi_app = QueryStringGuard(app.wsgi_app)  # type: ignore[method-assign]
    app.request_class = NulFreeRequest
