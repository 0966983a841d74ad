"""The witnesses the app sends its checkpoints to (config AUDIT_WITNESSES), and the local witness
of development and the demo (its state directory under the instance folder)."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.witness_program.notes import ALG_COSIGNATURE_V1, NoteError, Verifier, load_verifier
from tracker.witness_program.state import log_id

DEFAULT_ORIGIN = "samverkan.local/audit"
LOCAL_WITNESS_NAME = "witness.samverkan.local/local"


@dataclass(frozen=True)
class WitnessConfig:
    """One witness: its key name, its add-checkpoint URL and its cosignature key."""

    name: str
    url: str
    verifier: Verifier


def _entry(item: Any) -> WitnessConfig:
    if isinstance(item, str):  # "URL VKEY"
        parts = item.split()
        if len(parts) != 2:
            raise ValueError(f"a witness is 'URL VERIFIER-KEY', not {item!r}")
        item = {"url": parts[0], "key": parts[1]}
    if not isinstance(item, Mapping) or not item.get("url") or not item.get("key"):
        raise ValueError("each witness needs a url and a key (a verifier key line or a PEM file)")
    key = str(item["key"])
    if key.endswith(".pem") or (Path(key).is_file() and "+" not in key):
        key = Path(key).read_text()
    try:
        verifier = load_verifier(str(item.get("name") or ""), ALG_COSIGNATURE_V1, key)
    except (NoteError, ValueError) as exc:
        raise ValueError(f"witness {item.get('name') or item['url']}: {exc}") from exc
    if not verifier.name:
        raise ValueError(f"witness {item['url']}: a PEM key needs a name")
    url = str(item["url"]).rstrip("/")
    if not re.match(r"^https?://", url):
        raise ValueError(f"witness {verifier.name}: the URL must start with http:// or https://")
    if not url.endswith("/add-checkpoint"):
        url += "/add-checkpoint"
    return WitnessConfig(verifier.name, url, verifier)


def parse_witnesses(value: Any) -> list[WitnessConfig]:
    """AUDIT_WITNESSES: a list of {name, url, key}, its JSON, or "URL VKEY" entries separated by
    newlines or ';'. ValueError names what is wrong."""
    if not value:
        return []
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [p for p in re.split(r"[;\n]", text) if p.strip()]
    if not isinstance(value, list):
        raise ValueError("AUDIT_WITNESSES must be a list")
    witnesses = [_entry(item) for item in value]
    names = [w.name for w in witnesses]
    if len(set(names)) != len(names):
        raise ValueError("two witnesses in AUDIT_WITNESSES have the same name")
    return witnesses


def configured_witnesses(config: Mapping[str, Any]) -> list[WitnessConfig]:
    """The configured witnesses (an unreadable setting was refused when the app started)."""
    return parse_witnesses(config.get("AUDIT_WITNESSES"))


def log_origin(config: Mapping[str, Any]) -> str:
    """The origin line of the log's checkpoints: AUDIT_LOG_ORIGIN, else `<PUBLIC_BASE_URL host>/audit`,
    else `samverkan.local/audit` (the same rule as the checkpoint writer's)."""
    configured = str(config.get("AUDIT_LOG_ORIGIN") or "").strip()
    if configured:
        return configured
    host = urlsplit(str(config.get("PUBLIC_BASE_URL") or "")).hostname
    return f"{host}/audit" if host else DEFAULT_ORIGIN


def local_witness_dir(config: Mapping[str, Any]) -> Path | None:
    """The local witness's state directory (development and demo), if configured."""
    value = config.get("AUDIT_LOCAL_WITNESS_DIR")
    return Path(value) if value else None


def local_witness_entry(config: Mapping[str, Any]) -> dict[str, str] | None:
    """The local witness as an AUDIT_WITNESSES entry, once its directory has been set up."""
    directory = local_witness_dir(config)
    if directory is None or not (directory / "witness.vkey").exists():
        return None
    return {"url": str(config.get("AUDIT_LOCAL_WITNESS_URL") or "http://127.0.0.1:8470"),
            "key": (directory / "witness.vkey").read_text().strip()}


def local_witness_state_file(config: Mapping[str, Any]) -> Path | None:
    """The local witness's last cosigned checkpoint of this log (for `flask audit verify`)."""
    directory = local_witness_dir(config)
    return None if directory is None else directory / "logs" / log_id(log_origin(config)) / "checkpoint"
