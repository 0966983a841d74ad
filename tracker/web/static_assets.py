"""Static files under versioned URLs. `url_for('static', filename=...)` adds `v=<digest of the
file>`, and a request that carries the file's current digest is answered as cacheable for a year
and immutable. So a browser fetches app.css and ux.js once, not revalidating them on every page,
and a changed file has a new URL, so nobody keeps the old one. A URL without the digest, or with
an old one, is served as before (revalidated each time)."""
from __future__ import annotations

import hashlib
import os
import stat as stat_mode
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
VERSION_ARG = "v"

# path -> ((mtime, size), digest): read again when the file changes (development edits).
_digests: dict[str, tuple[tuple[int, int], str]] = {}


def digest_of(static_folder: str | None, filename: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of a static file, None when there is no such file
    (or it is a folder)."""
    path = safe_join(static_folder, filename) if static_folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not stat_mode.S_ISREG(stat.st_mode):  # a folder (static/fonts) has no digest
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _digests.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    _digests[path] = (stamp, digest)
    return digest


def init_app(app: Flask) -> None:
    @app.url_defaults
    def versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and VERSION_ARG not in values and "filename" in values:
            digest = digest_of(app.static_folder, values["filename"])
            if digest is not None:
                values[VERSION_ARG] = digest

    @app.after_request
    def immutable_when_current(response: Response) -> Response:
        version = request.args.get(VERSION_ARG)
        if (request.endpoint == "static" and version and response.status_code == 200 and request.view_args
                and version == digest_of(app.static_folder, request.view_args["filename"])):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
            response.expires = None
        return response
