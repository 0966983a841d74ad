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


def test_a_size_shown_again_after_a_language_switch_is_in_the_new_language(app):
    """Sizes are formatted once per process and locale: the same size in another language (a mail
    in its reader's language inside a Swedish request) is that language's, and back again."""
    with app.test_request_context("/"):
        with force_locale("sv"):
            assert [file_size(96), file_size(1700)] == ["96 byte", "1,7\u00a0kB"]
        with force_locale("en"):
            assert [file_size(96), file_size(1700)] == ["96 bytes", "1.7\u00a0kB"]
        with force_locale("fi"):
            assert file_size(96) == "96 tavua"
        with force_locale("sv"):
            assert file_size(96) == "96 byte"


def test_templates_use_the_locale_aware_filter(app):
    with app.test_request_context("/"), force_locale("sv"):
        assert app.jinja_env.from_string("{{ 1700|filesizeformat }}").render() == "1,7\u00a0kB"


def test_template_texts_follow_a_forced_locale_and_return_to_the_pages_own(app):
    """The catalogue a template's `_()` uses is found once per request and locale: a mail rendered
    in its reader's language inside a Swedish request is in that language, and the page after it
    is Swedish again."""
    template = app.jinja_env.from_string("{{ _('Avbryt') }}")
    with app.test_request_context("/"):
        assert template.render() == "Avbryt"
        with force_locale("en"):
            assert template.render() == "Cancel"
            with force_locale("fi"):
                assert template.render() == "Peruuta"
            assert template.render() == "Cancel"
        assert template.render() == "Avbryt"


def test_time_tag_shows_local_time_with_utc_on_hover(app):
    from datetime import UTC, datetime

    from markupsafe import Markup

    from tracker.web.templating import time_tag

    when = datetime(2026, 1, 15, 10, 0, 5, tzinfo=UTC)
    with app.test_request_context("/"), force_locale("sv"):
        tag = time_tag(when)
        rendered = app.jinja_env.from_string("{{ t|timetag }}").render(t=when)
    assert isinstance(tag, Markup) and str(tag) == rendered
    assert tag.startswith('<time datetime="2026-01-15T10:00:05+00:00" title="2026-01-15 10:00:05 UTC">')
    assert tag.endswith("</time>") and "15 januari 2026" in tag and "&" not in tag
    assert time_tag(None) == Markup("")


@pytest.mark.parametrize("locale", ["sv", "en", "fi", "sv_FI"])
def test_local_time_and_long_date_read_as_flask_babel_writes_them_in_each_language(app, locale):
    """The filters format each day and minute once per process and locale: what they show is what
    Flask-Babel's own long date and short time give, in the language in force, even when a page
    switches languages between two instants of the same minute."""
    from datetime import UTC, date, datetime, timedelta

    from flask_babel import format_date, format_time

    from tracker.timeutil import to_local
    from tracker.web.templating import local_datetime, long_date

    instants = [datetime(2026, 1, 15, 10, 0, tzinfo=UTC) + timedelta(minutes=37 * k, days=k) for k in range(40)]
    with app.test_request_context("/"):
        for when in instants:
            with force_locale(locale):
                local = to_local(when)
                expected = f"{format_date(local.date(), 'long')} {format_time(local, 'short', rebase=False)}"
                assert local_datetime(when) == expected
                assert long_date(local.date()) == format_date(local.date(), "long")
            with force_locale("en" if locale != "en" else "sv"):  # the same instant, another language
                assert local_datetime(when) != expected
        with force_locale(locale):
            assert long_date(None) == "–" and local_datetime(None) == ""
            assert long_date(date(2026, 3, 20)) == format_date(date(2026, 3, 20), "long")
