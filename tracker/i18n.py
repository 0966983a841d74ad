"""Languages: which the application has, which the organisation offers, and whose is whose.

`sv` (Sweden's Swedish) is the source text of every message; `sv_FI` (Finland-Swedish) overrides
only the terms that differ and falls back to the Swedish source for the rest; `fi` and `en` are
complete catalogues. The organisation offers a subset (ORGANISATION_LANGUAGES); a user picks one
of those (User.locale), else the browser's Accept-Language decides, else the organisation's default.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from flask import current_app, g, has_app_context
from flask_babel import LazyString, get_translations

SOURCE_LOCALE = "sv"
# Every language the application ships a catalogue for, in the order the switch offers them.
SUPPORTED: tuple[str, ...] = ("sv", "sv_FI", "fi", "en")
# Each language by its own name, whatever the page's language (the option carries its `lang`).
LANGUAGE_NAMES: dict[str, str] = {"sv": "Svenska", "sv_FI": "Svenska (Finland)", "fi": "Suomeksi",
                                  "en": "English"}


_BOUND = "samverkan_translations"


def request_translations() -> Any:
    """The translations of the locale in force, found once per request and locale. Flask-Babel's
    own lookup walks the app context, the locale and its catalogue cache on every `_()`: a page
    makes some two hundred such calls. The locale's identity is the key, so a `force_locale` block
    (a mail in its reader's language) gets its own catalogue and the page's is found again after."""
    babel_ctx = g.get("_flask_babel") if g else None
    if babel_ctx is None:
        return get_translations()
    locale = getattr(babel_ctx, "babel_locale", None)
    bound = babel_ctx.__dict__.get(_BOUND)
    if bound is not None and locale is not None and bound[0] is locale:
        return bound[1]
    translations = get_translations()
    babel_ctx.__dict__[_BOUND] = (getattr(babel_ctx, "babel_locale", None), translations)
    return translations


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's `gettext`, through the translations found once per request (`request_translations`)."""
    text = request_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's `lazy_gettext` (translated each time it is shown, in the language then in force),
    through `gettext` above: the labels of enums and forms are shown dozens of times a page."""
    return LazyString(gettext, string, **variables)


class HasLocale(Protocol):
    locale: str | None


def normalise(code: str | None) -> str | None:
    """'fi-FI' -> 'fi', 'sv-fi' -> 'sv_FI', 'SV' -> 'sv'; None for what the application lacks."""
    if not code:
        return None
    parts = code.replace("-", "_").split("_")
    language = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 else ""
    if region and f"{language}_{region}" in SUPPORTED:
        return f"{language}_{region}"
    return language if language in SUPPORTED else None


def organisation_languages() -> tuple[str, ...]:
    """The languages the organisation offers (config ORGANISATION_LANGUAGES), supported ones only."""
    if not has_app_context():
        return SUPPORTED
    configured = current_app.config.get("ORGANISATION_LANGUAGES") or SUPPORTED
    if isinstance(configured, str):
        configured = configured.split(",")
    chosen = [code for code in (normalise(str(c).strip()) for c in configured) if code]
    return tuple(dict.fromkeys(chosen)) or (SOURCE_LOCALE,)


def default_language() -> str:
    """The organisation's default (ORGANISATION_DEFAULT_LANGUAGE), else its first language."""
    offered = organisation_languages()
    configured = normalise(current_app.config.get("ORGANISATION_DEFAULT_LANGUAGE")) if has_app_context() else None
    return configured if configured in offered else offered[0]


def offered(code: str | None) -> str | None:
    """`code` normalised when the organisation offers it, else None."""
    code = normalise(code)
    return code if code in organisation_languages() else None


def best_accepted(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The first of the browser's languages (in its order of preference) that the organisation
    offers: an exact match ('sv-FI' -> sv_FI) or the bare language ('fi-FI' -> fi, 'sv-SE' -> sv)."""
    languages = organisation_languages()
    for tag, quality in accepted:
        if quality <= 0 or tag == "*":
            continue
        code = normalise(tag)
        if code in languages:
            return code
        base = normalise(tag.replace("-", "_").split("_")[0])
        if base in languages:
            return base
    return None


def locale_for(user: HasLocale | None) -> str:
    """The language to use for everything sent to `user` (e-mail, notifications, exports for
    them): their own choice when the organisation still offers it, else the organisation's default."""
    chosen = offered(user.locale) if user is not None else None
    return chosen or default_language()


def html_lang(code: str | None) -> str:
    """The BCP 47 tag for a `lang` attribute: 'sv_FI' -> 'sv-FI'."""
    return (code or SOURCE_LOCALE).replace("_", "-")


def language_name(code: str) -> str:
    """A language by its own name ('Suomeksi'); the code when unknown."""
    return LANGUAGE_NAMES.get(code, code)


def language_in(code: str) -> str:
    """'på finska', 'på svenska'... in the current language: the marker of a text shown in
    another language than the reader's."""
    from flask_babel import gettext as _

    names = {"sv": _("på svenska"), "sv_FI": _("på svenska"), "fi": _("på finska"), "en": _("på engelska")}
    return names.get(code, code)
