"""Procedure profiles: data files, not code. Each JSON file is validated against the shipped JSON
Schema (`profiles/profile.schema.json`) into a frozen `Profile`.

Shipped profiles live in tracker/procedure/profiles/; an organisation adds or adjusts one by
dropping a JSON file in a directory named in the PROCEDURE_PROFILE_DIRS setting (later
directories override earlier ones by profile code).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flask import current_app, has_app_context
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


@dataclass(frozen=True)
class Profile:
    """One validated procedure profile."""

    code: str
    version: str
    name: Mapping[str, str]
    legal_basis: str
    settings: ProfileSettings = field(default_factory=ProfileSettings)
    description: str = ""
    source: str = ""

    def display_name(self, locale: str = "sv") -> str:
        """The profile's name in `locale`, else Swedish, else its code."""
        return self.name.get(locale) or self.name.get("sv") or self.code


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
    if key == "name":
        return "'name' must be a string or an object of locale -> string"
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
    name = data.get("name", data["code"])
    raw = data.get("settings", {})
    values: dict[str, Any] = {key: (value if isinstance(value, bool) else int(value)) for key, value in raw.items()}
    settings = ProfileSettings(**values)
    return Profile(code=data["code"], version=str(data["version"]),
                   name=MappingProxyType({"sv": name} if isinstance(name, str) else dict(name)),
                   legal_basis=data.get("legal_basis", ""), settings=settings,
                   description=data.get("description", ""), source=source)


def load_profile_file(path: Path) -> Profile:
    """Read and validate one profile file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not valid JSON: {exc}") from exc
    return validate_profile(data, str(path))


def _dirs() -> list[Path]:
    dirs = [BUILTIN_DIR]
    if has_app_context():
        extra = current_app.config.get("PROCEDURE_PROFILE_DIRS") or []
        if isinstance(extra, str):
            extra = [p for p in extra.split(":") if p]
        dirs.extend(Path(p) for p in extra)
    return dirs


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
    """Every available profile by code (validated; cached until a file changes)."""
    dirs = _dirs()
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
