"""Jinja filters and the few globals every page uses. Nothing here runs a query: pages get their
data from their views."""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from babel import dates as babel_dates
from flask import Flask
from flask_babel import format_datetime, format_decimal, get_locale, ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.auth.permissions import Permission, has_permission
from tracker.i18n import SOURCE_LOCALE, html_lang, language_name, organisation_languages, request_translations
from tracker.timeutil import to_local


# A page shows many instants (an audit page fifty, each with its <time> tag), mostly of a few days:
# each locale's long date of a day and short time of a minute are formatted once per process.
# (Babel's own formatting is a pure function of the locale and the value; no date format is
# configured for Flask-Babel, so its `format_date(day, "long")` is Babel's.)
@lru_cache(maxsize=8192)
def _long_date_in(locale: str, day: date) -> str:
    return babel_dates.format_date(day, "long", locale=locale)


@lru_cache(maxsize=8192)
def _short_time_in(locale: str, hour: int, minute: int) -> str:
    return babel_dates.format_time(time(hour, minute), "short", locale=locale)


def _locale_id() -> str:
    return str(get_locale() or SOURCE_LOCALE)


def local_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """A UTC instant shown in the organisation's time zone. By default in the one format each locale uses on
    every page: the long date and the short time ('15 januari 2025 11:00', 'January 15, 2025 11:00 AM')."""
    if value is None:
        return ""
    local = to_local(value)
    if fmt is not None:
        return format_datetime(local, fmt, rebase=False)
    locale = _locale_id()
    return f"{_long_date_in(locale, local.date())} {_short_time_in(locale, local.hour, local.minute)}"


def time_tag(value: datetime | None) -> Markup:
    """<time> with local time shown and UTC on hover."""
    if value is None:
        return Markup("")
    utc = value.strftime("%Y-%m-%d %H:%M:%S UTC")
    # Each part escaped and joined (an audit page shows 50 of these; `Markup.format` costs more).
    return Markup(f'<time datetime="{escape(value.isoformat())}" title="{escape(utc)}">'
                  f'{escape(local_datetime(value))}</time>')


def iso_date(value: date | datetime | None) -> str:
    """A date (or the local date of an instant) as YYYY-MM-DD, for `datetime` attributes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def long_date(value: date | None) -> str:
    """A date as '20 mars 2026' in the user's language."""
    if value is None:
        return "–"
    return _long_date_in(_locale_id(), value)


_SIZE_UNITS = ("kB", "MB", "GB", "TB")


def file_size(value: int | None) -> str:
    """A size in bytes in the reader's language: '96 byte' and '1,7 kB' in Swedish, '96 bytes' and '1.7 kB'
    in English (decimal units, as Jinja's filesizeformat, with the locale's decimal sign)."""
    if value is None:
        return ""
    return _file_size_in(_locale_id(), int(value))


@lru_cache(maxsize=8192)
def _file_size_in(locale: str, size: int) -> str:
    # Per process, as the dates above: a documents table shows the same sizes on every view.
    # `locale` is the one in force (Flask-Babel's format_decimal and ngettext use it).
    if size < 1000:
        return ngettext("%(size)s byte", "%(size)s byte", size, size=format_decimal(size))
    amount = size / 1000
    index = 0
    while amount >= 1000 and index < len(_SIZE_UNITS) - 1:
        amount /= 1000
        index += 1
    return f"{format_decimal(amount, '#,##0.#')}\u00a0{_SIZE_UNITS[index]}"


def init_app(app: Flask) -> None:
    """Register the filters, and `can(permission)` and `current_locale` for every template."""
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["timetag"] = time_tag
    app.jinja_env.filters["isodate"] = iso_date
    app.jinja_env.filters["longdate"] = long_date
    app.jinja_env.filters["filesizeformat"] = file_size
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["html_lang"] = html_lang
    app.jinja_env.globals["Permission"] = Permission
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "can": lambda permission: has_permission(current_user, Permission(permission)),
            "current_locale": str(get_locale() or SOURCE_LOCALE),
            "current_lang": html_lang(str(get_locale() or SOURCE_LOCALE)),
            "offered_languages": [(code, language_name(code), html_lang(code)) for code in organisation_languages()],
        }
