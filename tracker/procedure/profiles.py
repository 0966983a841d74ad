"""Procedure profiles: data files, not code. Each JSON file is validated against the shipped JSON
Schema (`profiles/profile.schema.json`) into a frozen `Profile`.

Shipped profiles live in tracker/procedure/profiles/; an organisation adds or adjusts one by
dropping a JSON file in a directory named in the PROCEDURE_PROFILE_DIRS setting (later
directories override earlier ones by profile code).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from copy import copy
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request
from jsonschema import Draft202012Validator, ValidationError

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
SCHEMA_PATH = BUILTIN_DIR / "profile.schema.json"


class ProfileError(ValueError):
    """A profile file is missing, malformed or fails validation."""


@dataclass(frozen=True)
class ProfileSettings(Mapping[str, int | bool]):
    """The rules of a profile, typed. Also a read-only mapping (name -> value) for the deadline
    engine and exports. Defaults match the schema's (a test checks they agree)."""

    proposal_lead_days: int = 0
    requires_proposal_when_reductions: bool = False
    min_negotiation_days: int = 0
    large_staff_threshold: int = 10
    large_staff_extended_period_enabled: bool = False
    large_staff_min_negotiation_days: int = 0
    central_negotiation_enabled: bool = False
    central_negotiation_window_days: int = 0
    requires_risk_assessment_cosigned: bool = False
    allows_risk_assessment_waiver: bool = False
    allows_urgent_decision: bool = False
    requires_negotiation_meeting: bool = False
    urgent_negotiation_days: int = 14
    minutes_approved_by_both: bool = False
    evaluation_due_months: int = 6

    def __getitem__(self, key: str) -> int | bool:
        if key not in SETTING_NAMES:
            raise KeyError(key)
        value: int | bool = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(SETTING_NAMES)

    def __len__(self) -> int:
        return len(SETTING_NAMES)


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ProfileSettings))


Texts = Mapping[str, str]  # locale -> text
_EMPTY: Texts = MappingProxyType({})


@dataclass(frozen=True)
class LocalText:
    """A profile text as shown to a reader of `asked`: in `lang`, which is another language when
    the profile has none for `asked` (`fallback`; shown with its `lang` and a visible marker)."""

    text: str
    lang: str
    asked: str

    @property
    def fallback(self) -> bool:
        """Shown in another language than asked (sv for sv_FI is the same language, not a fallback)."""
        return _base(self.lang) != _base(self.asked)

    @property
    def marker(self) -> str:
        """'på finska' / 'suomeksi'... in the current language, or '' when not a fallback."""
        from tracker.i18n import language_in

        return language_in(self.lang) if self.fallback else ""

    def plain(self) -> str:
        """The text with its marker in parentheses, for PDFs and other plain text."""
        return f"{self.text} ({self.marker})" if self.fallback else self.text

    def __str__(self) -> str:
        return self.text


def _base(code: str) -> str:
    return code.split("_")[0]


@dataclass(frozen=True)
class ProfileTexts:
    """The profile's texts per language: name, legal basis, help per stage, basis per deadline."""

    name: Texts = field(default_factory=lambda: _EMPTY)
    legal_basis: Texts = field(default_factory=lambda: _EMPTY)
    stage_help: Mapping[str, Texts] = field(default_factory=dict)  # stage -> locale -> text
    deadline_bases: Mapping[str, Texts] = field(default_factory=dict)  # deadline -> locale -> text


@dataclass(frozen=True)
class Profile:
    """One validated procedure profile. `language` is the language its texts are written in first
    (a plain-string text is in it); `texts` carries them per language."""

    code: str
    version: str
    name: Mapping[str, str]
    legal_basis: str
    settings: ProfileSettings = field(default_factory=ProfileSettings)
    description: str = ""
    source: str = ""
    language: str = "sv"
    texts: ProfileTexts = field(default_factory=ProfileTexts)

    def display_name(self, locale: str = "sv") -> str:
        """The profile's name in `locale` (or its fallback), else its code."""
        found = self.text_in(self.name, locale)
        return found.text if found else self.code

    def _order(self, locale: str) -> list[str]:
        """Where to look for a text for `locale`: itself, Swedish for Finland-Swedish, the
        profile's own language, then Swedish and English."""
        order = [locale, *(["sv"] if locale == "sv_FI" else []), self.language, "sv", "en"]
        return list(dict.fromkeys(order))

    def text_in(self, texts: Texts, locale: str) -> LocalText | None:
        """The text for `locale`, or the first fallback (marked), or None when there is none."""
        for code in [*self._order(locale), *sorted(texts)]:
            if texts.get(code):
                return LocalText(texts[code], code, locale)
        return None

    def name_in(self, locale: str) -> LocalText:
        """The name for `locale` (the code itself when the profile has none)."""
        return self.text_in(self.name, locale) or LocalText(self.code, locale, locale)

    def legal_basis_in(self, locale: str) -> LocalText | None:
        """The law or agreement the profile follows (None when it names none)."""
        return self.text_in(self.texts.legal_basis, locale)

    def stage_help_in(self, stage: str, locale: str) -> LocalText | None:
        """The profile's help for a stage (None when it has none in any language)."""
        return self.text_in(self.texts.stage_help.get(stage, _EMPTY), locale)

    def deadline_basis_in(self, deadline: str, locale: str) -> LocalText | None:
        """The provision a deadline rests on, in this profile (None when it names none)."""
        return self.text_in(self.texts.deadline_bases.get(deadline, _EMPTY), locale)


@cache
def profile_schema() -> dict[str, Any]:
    """The shipped JSON Schema every profile is validated against."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def _describe(error: ValidationError) -> str:
    """One readable sentence for a schema violation (named after the key it concerns)."""
    path = list(error.absolute_path)
    if not path:
        if error.validator == "type":
            return "a profile must be a JSON object"
        if error.validator == "additionalProperties":
            known = set(profile_schema()["properties"])
            return "unknown keys: " + ", ".join(sorted(set(error.instance) - known))
        if error.validator == "required":
            return error.message
        return error.message
    key = str(path[0])
    if key == "code":
        return "'code' must be a short lowercase identifier (letters, digits, - or _)"
    if key == "version":
        return "'version' must be a non-empty string of at most 20 characters"
    if key in TEXT_KEYS:
        return f"'{key}' must be a string or an object of locale (sv, sv_FI, fi, en) -> string"
    if key in NESTED_TEXT_KEYS:
        return f"'{key}' must be an object of code -> (object of locale (sv, sv_FI, fi, en) -> string)"
    if key == "language":
        return "'language' must be one of sv, sv_FI, fi, en"
    if key != "settings":
        return f"'{key}' must be a string"
    if len(path) == 1:
        if error.validator == "additionalProperties":
            known = set(profile_schema()["properties"]["settings"]["properties"])
            return "; ".join(f"unknown setting '{name}'" for name in sorted(set(error.instance) - known))
        return "'settings' must be an object"
    setting = str(path[1])
    rule = profile_schema()["properties"]["settings"]["properties"][setting]
    if rule["type"] == "boolean":
        return f"setting '{setting}' must be true or false"
    return f"setting '{setting}' must be a whole number >= {rule.get('minimum', 0)}"


def validate_profile(data: Any, source: str = "<data>") -> Profile:
    """Check a parsed profile document against the schema; raise ProfileError naming every problem."""
    validator = Draft202012Validator(profile_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        problems = list(dict.fromkeys(_describe(e) for e in errors))
        raise ProfileError(f"{source}: invalid procedure profile: " + "; ".join(problems))
    raw = data.get("settings", {})
    values: dict[str, Any] = {key: (value if isinstance(value, bool) else int(value)) for key, value in raw.items()}
    settings = ProfileSettings(**values)
    language = data.get("language", "sv")
    name = _texts(data.get("name", data["code"]), language)
    legal_basis = _texts(data.get("legal_basis", ""), language)
    texts = ProfileTexts(
        name=name, legal_basis=legal_basis,
        stage_help=MappingProxyType({k: _texts(v, language) for k, v in data.get("stage_help", {}).items()}),
        deadline_bases=MappingProxyType({k: _texts(v, language) for k, v in data.get("deadline_bases", {}).items()}))
    return Profile(code=data["code"], version=str(data["version"]), name=name,
                   legal_basis=legal_basis.get(language, ""), settings=settings,
                   description=data.get("description", ""), source=source, language=language, texts=texts)


TEXT_KEYS = ("name", "legal_basis")
NESTED_TEXT_KEYS = ("stage_help", "deadline_bases")


def _texts(value: str | Mapping[str, str], language: str) -> Texts:
    """A plain string is in the profile's own language; empty texts are dropped."""
    pairs = {language: value} if isinstance(value, str) else dict(value)
    return MappingProxyType({code: text for code, text in pairs.items() if text})


def load_profile_file(path: Path) -> Profile:
    """Read and validate one profile file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not valid JSON: {exc}") from exc
    return validate_profile(data, str(path))


def _dirs(extra: list[str] | str | None = None) -> list[Path]:
    dirs = [BUILTIN_DIR]
    if isinstance(extra, str):
        extra = [p for p in extra.split(":") if p]
    dirs.extend(Path(p) for p in extra or [])
    return dirs


def _extra_dirs() -> list[str] | str | None:
    """The PROCEDURE_PROFILE_DIRS setting (None outside an app)."""
    return current_app.config.get("PROCEDURE_PROFILE_DIRS") if has_app_context() else None


def _profile_files(directory: Path) -> list[Path]:
    return [p for p in sorted(directory.glob("*.json")) if p.name != SCHEMA_PATH.name]


_cache: dict[tuple[tuple[str, int], ...], dict[str, Profile]] = {}


def _mtimes(dirs: list[Path]) -> tuple[tuple[str, int], ...]:
    key: list[tuple[str, int]] = []
    for d in dirs:
        if d.is_dir():
            key.extend((str(p), p.stat().st_mtime_ns) for p in _profile_files(d))
    return tuple(key)


def all_profiles() -> dict[str, Profile]:
    """Every available profile by code (validated; cached until a file changes). Within one
    request the directories are looked at once: a page computing the deadlines of 200 cases asks
    for their profiles 200 times, and a profile file changed meanwhile counts from the next request."""
    extra = _extra_dirs()
    # The request object itself, not `g` alone: an app context (and its `g`) may outlive a
    # request, as in a test or a script that runs several requests in one app context.
    current = request._get_current_object() if has_request_context() else None  # type: ignore[attr-defined]
    if current is not None:
        seen: tuple[object, list[str] | str | None, dict[str, Profile]] | None = g.get("_procedure_profiles")
        if seen is not None and seen[0] is current and seen[1] == extra:
            return seen[2]
    profiles = _profiles_in(_dirs(extra))
    if current is not None:
        g._procedure_profiles = (current, copy(extra), profiles)
    return profiles


def _profiles_in(dirs: list[Path]) -> dict[str, Profile]:
    key = _mtimes(dirs)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    profiles: dict[str, Profile] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in _profile_files(d):
            profile = load_profile_file(path)
            profiles[profile.code] = profile
    _cache.clear()
    _cache[key] = profiles
    return profiles


def get_profile(code: str) -> Profile:
    """The profile named `code`; ProfileError when there is none."""
    try:
        return all_profiles()[code]
    except KeyError:
        raise ProfileError(f"unknown procedure profile {code!r}") from None


def profile_codes() -> list[str]:
    """The codes of every available profile, sorted."""
    return sorted(all_profiles())
