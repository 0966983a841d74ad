"""Static files: pages link them under URLs carrying the file's digest, such a URL is cacheable for
a year and immutable, and any other URL of the file is revalidated as before."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from tracker.web.static_assets import ONE_YEAR, digest_of

STATIC = Path(__file__).resolve().parent.parent / "static"


def _digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]


def test_pages_link_the_stylesheet_and_script_by_their_digest(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("app.css", "ux.js", "favicon.svg"):
        assert f'/static/{name}?v={_digest(name)}"' in html, name


def test_the_current_versioned_url_is_immutable_for_a_year(client):
    for name in ("app.css", "ux.js"):
        response = client.get(f"/static/{name}?v={_digest(name)}")
        assert response.status_code == 200
        assert response.get_data() == (STATIC / name).read_bytes()
        cache = response.cache_control
        assert cache.public and cache.immutable and cache.max_age == ONE_YEAR, response.headers["Cache-Control"]
        assert not cache.no_cache and not cache.no_store


def test_an_old_digest_or_no_digest_is_served_but_revalidated(client):
    for path in ("/static/app.css", "/static/app.css?v=0123456789abcdef", "/static/app.css?v="):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get_data() == (STATIC / "app.css").read_bytes(), path
        assert not response.cache_control.immutable, path
        assert response.cache_control.max_age != ONE_YEAR, path
        assert response.headers.get("Cache-Control") != "no-store", path


def test_a_missing_file_or_a_folder_is_404_and_never_cached_as_immutable(client):
    for path in ("/static/missing.css?v=0123456789abcdef", "/static/fonts?v=0123456789abcdef"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert not response.cache_control.immutable, path


def test_a_changed_file_gets_a_new_digest(tmp_path):
    (tmp_path / "a.css").write_text("body { color: black; }")
    first = digest_of(str(tmp_path), "a.css")
    assert first == hashlib.sha256(b"body { color: black; }").hexdigest()[:16]
    (tmp_path / "a.css").write_text("body { color: navy;  }")  # the same size: the mtime tells
    os.utime(tmp_path / "a.css", ns=(10**18, 10**18))  # written within one clock tick, the mtime may not move
    second = digest_of(str(tmp_path), "a.css")
    assert second is not None and second != first
    assert digest_of(str(tmp_path), "missing.css") is None
    assert digest_of(str(tmp_path), "../outside.css") is None
    (tmp_path / "fonts").mkdir()
    assert digest_of(str(tmp_path), "fonts") is None


def test_the_digest_in_a_page_follows_the_file(app, client, tmp_path, monkeypatch):
    (tmp_path / "app.css").write_text("one")
    (tmp_path / "ux.js").write_text("")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    before = re.search(r'/static/app\.css\?v=([0-9a-f]{16})"', client.get("/login").get_data(as_text=True))
    (tmp_path / "app.css").write_text("two, longer")
    os.utime(tmp_path / "app.css", ns=(10**18, 10**18))
    after = re.search(r'/static/app\.css\?v=([0-9a-f]{16})"', client.get("/login").get_data(as_text=True))
    assert before and after and before.group(1) != after.group(1)
    assert after.group(1) == hashlib.sha256(b"two, longer").hexdigest()[:16]
