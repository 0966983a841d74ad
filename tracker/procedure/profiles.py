"""Procedure profiles: data files, not code. Each JSON file is validated on load.

Shipped profiles live in tracker/procedure/profiles/; an organisation adds or adjusts one by
dropping a JSON file in a directory named in the PROCEDURE_PROFILE_DIRS setting (later
directories override earlier ones by profile code).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"


class ProfileError(ValueError):
    """A profile file is missing, malformed or fails validation."""


# setting name -> (type, default). Every setting has a default so a small custom profile
# only states what differs; unknown settings are refused (a typo must not pass silently).
SETTINGS_SCHEMA: dict[str, tuple[type, Any]] = {
    "proposal_lead_days": (int, 0),
    "requires_proposal_when_reductions": (bool, False),
    "min_negotiation_days": (int, 0),
    "large_staff_threshold": (int, 10),
    "large_staff_extended_period_enabled": (bool, False),
    "large_staff_min_negotiation_days": (int, 0),
    "central_negotiation_enabled": (bool, False),
    "central_negotiation_window_days": (int, 0),
    "requires_risk_assessment_cosigned": (bool, False),
    "allows_risk_assessment_waiver": (bool, False),
    "allows_urgent_decision": (bool, False),
    "minutes_approved_by_both": (bool, False),
    "evaluation_due_months": (int, 6),
}

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,48}$")


@dataclass(frozen=True)
class Profile:
    code: str
    version: str
    name: dict[str, str]
    legal_basis: str
    settings: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def __getattr__(self, item: str) -> Any:
        # profile.proposal_lead_days etc.
        settings = self.__dict__.get("settings", {})
        if item in settings:
            return settings[item]
        raise AttributeError(item)

    def display_name(self, locale: str = "sv") -> str:
        return self.name.get(locale) or self.name.get("sv") or self.code


def validate_profile(data: Any, source: str = "<data>") -> Profile:
    """Check a parsed profile document; raise ProfileError naming every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile must be a JSON object")
    code = data.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.append("'code' must be a short lowercase identifier (letters, digits, - or _)")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip() or len(version) > 20:
        problems.append("'version' must be a non-empty string of at most 20 characters")
    name = data.get("name", code)
    if isinstance(name, str):
        name = {"sv": name}
    if not isinstance(name, dict) or not all(isinstance(v, str) for v in name.values()):
        problems.append("'name' must be a string or an object of locale -> string")
        name = {}
    legal_basis = data.get("legal_basis", "")
    if not isinstance(legal_basis, str):
        problems.append("'legal_basis' must be a string")
    unknown_top = set(data) - {"code", "version", "name", "legal_basis", "settings", "description"}
    if unknown_top:
        problems.append(f"unknown keys: {', '.join(sorted(unknown_top))}")
    raw_settings = data.get("settings", {})
    settings: dict[str, Any] = {}
    if not isinstance(raw_settings, dict):
        problems.append("'settings' must be an object")
        raw_settings = {}
    for key in sorted(set(raw_settings) - set(SETTINGS_SCHEMA)):
        problems.append(f"unknown setting '{key}'")
    for key, (kind, default) in SETTINGS_SCHEMA.items():
        value = raw_settings.get(key, default)
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(f"setting '{key}' must be a whole number >= 0")
        elif kind is bool and not isinstance(value, bool):
            problems.append(f"setting '{key}' must be true or false")
        settings[key] = value
    if not problems and settings["evaluation_due_months"] < 1:
        problems.append("setting 'evaluation_due_months' must be at least 1")
    if problems:
        raise ProfileError(f"{source}: invalid procedure profile: " + "; ".join(problems))
    return Profile(code=code, version=str(version), name=name, legal_basis=legal_basis,
                   settings=settings, source=source)


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


_cache: dict[tuple, dict[str, Profile]] = {}


def _mtimes(dirs: list[Path]) -> tuple:
    key = []
    for d in dirs:
        if d.is_dir():
            key.extend((str(p), p.stat().st_mtime_ns) for p in sorted(d.glob("*.json")))
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
        for path in sorted(d.glob("*.json")):
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
    return sorted(all_profiles())
