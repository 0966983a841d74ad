"""Issue 17 item 9: file sizes read the way the reader's language writes them ("96 byte", "1,7 kB" in Swedish)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tracker.web.templating import file_size


@pytest.mark.parametrize(("locale", "size", "expected"), [
    ("sv", 96, "96 byte"),
    ("sv", 1, "1 byte"),
    ("sv", 1700, "1,7\u00a0kB"),
    ("sv", 2_500_000, "2,5\u00a0MB"),
    ("en", 96, "96 bytes"),
    ("en", 1, "1 byte"),
    ("en", 1700, "1.7\u00a0kB"),
    ("fi", 96, "96 tavua"),
    ("fi", 1700, "1,7\u00a0kB"),
])
def test_file_size_follows_the_locale(app, locale, size, expected):
    with app.test_request_context("/"), force_locale(locale):
        assert file_size(size) == expected


def test_templates_use_the_locale_aware_filter(app):
    with app.test_request_context("/"), force_locale("sv"):
        assert app.jinja_env.from_string("{{ 1700|filesizeformat }}").render() == "1,7\u00a0kB"
