"""The English catalogue covers every Swedish text in the code and templates, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

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


def _catalogue():
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="en")


def test_every_text_has_an_english_translation():
    translated = {}
    for message in _catalogue():
        if not message.id or "fuzzy" in message.flags:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated[key] = strings[0]
    missing = sorted(_extracted() - set(translated))
    assert not missing, (f"{len(missing)} texts lack an English translation; run `make messages` and translate "
                         "them in translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(missing))


def test_translations_keep_their_placeholders():
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, target in zip(ids, strings, strict=False):  # plural forms may outnumber ids
            if target and set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
                wrong.append(f"{source!r} -> {target!r}")
    assert not wrong, "\n".join(wrong)
