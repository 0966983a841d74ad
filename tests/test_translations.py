"""The catalogues: English and Finnish cover every Swedish text in the code and templates; the
Finland-Swedish one overrides exactly the terms that differ from Sweden's; all keep the placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _method_map() -> list[tuple[str, str]]:
    methods = []
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        match = re.match(r"\[(\w+): (.+)\]", line.strip())
        if match:
            methods.append((match.group(2), match.group(1)))
    return methods


def _extracted() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=_method_map(), keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(locale: str = "en"):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _translated(locale: str) -> dict[str, str]:
    """msgid (the singular of a plural) -> its translation, for every complete, non-fuzzy entry."""
    translated = {}
    for message in _catalogue(locale):
        if not message.id or "fuzzy" in message.flags:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated[key] = strings[0]
    return translated


def test_every_text_has_an_english_translation():
    missing = sorted(_extracted() - set(_translated("en")))
    assert not missing, (f"{len(missing)} texts lack an English translation; append them to "
                         "translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(missing))


def test_every_text_has_a_finnish_translation():
    missing = sorted(_extracted() - set(_translated("fi")))
    assert not missing, (f"{len(missing)} texts lack a Finnish translation; append them to "
                         "translations/fi/LC_MESSAGES/messages.po:\n" + "\n".join(missing))


# Sweden's terms that Finland-Swedish replaces (DESIGN.md §6), with the Finland-Swedish word.
SWEDEN_ONLY = {
    "förhandlingsframställan": "förhandlingsframställning",
    "facklig företrädare": "förtroendeman",
    "fackliga företrädare": "förtroendemän",
    "skyddsombud": "arbetarskyddsfullmäktig",
    "konsekvensanalys": "riskbedömning",
    "personalföreträdare": "personalrepresentant",
    "arbetstagarrepresentant": "personalrepresentant",
    "samverkansförfarande": "samarbetsförfarande",
}


def _has(text: str, term: str) -> bool:
    return term in text.lower()


def test_finland_swedish_overrides_every_sweden_only_term():
    translated = _translated("sv_FI")
    lacking, kept = [], []
    for msgid in sorted(_extracted()):
        terms = [term for term in SWEDEN_ONLY if _has(msgid, term)]
        if not terms:
            continue
        target = translated.get(msgid)
        if target is None:
            lacking.append(msgid)
        elif any(_has(target, term) for term in terms):
            kept.append(f"{msgid!r} -> {target!r}")
    assert not lacking, ("these texts use a term that differs in Finland-Swedish; translate them in "
                         "translations/sv_FI/LC_MESSAGES/messages.po:\n" + "\n".join(lacking))
    assert not kept, "the Finland-Swedish translation keeps Sweden's term:\n" + "\n".join(kept)


def test_finland_swedish_overrides_only_what_differs():
    """An sv_FI entry equal to the source would hide a later change of the Swedish text."""
    same = [msgid for msgid, target in _translated("sv_FI").items() if target == msgid]
    assert not same, "\n".join(same)


# The glossary (DESIGN.md §6): a Swedish term in the source, the Finnish stem its translation must use.
FINNISH_TERMS = {
    "förhandlingsframställ": "neuvotteluesit",
    "facklig företrädare": "luottamusm",
    "skyddsombud": "työsuojeluvaltuute",
    "styrnings- och uppföljningsgrupp": "ohjausryhm",
    "konsekvensanalys": "riskinarvioin",
    "tidig information": "ennakkotiedottami",
    "justerare": "pöytäkirjantarkastaj",
}


def test_finnish_translations_use_the_glossary():
    translated = _translated("fi")
    wrong = [f"{msgid!r} -> {target!r} (expected {stem!r})"
             for msgid, target in translated.items()
             for term, stem in FINNISH_TERMS.items()
             if _has(msgid, term) and stem not in target.lower()]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", ["en", "fi", "sv_FI"])
def test_translations_keep_their_placeholders(locale):
    wrong = []
    for message in _catalogue(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, target in zip(ids, strings, strict=False):  # plural forms may outnumber ids
            if target and set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
                wrong.append(f"{source!r} -> {target!r}")
    assert not wrong, "\n".join(wrong)
