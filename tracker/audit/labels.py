"""The words for the audit feature's codes: what the verifier found (web pages and CLI)."""
from __future__ import annotations

import json
from typing import Any

from tracker.audit.models import TamperKind
from tracker.i18n import lazy_gettext as _l

# In the user's language, for the pages and the badge.
KIND_TEXT = {
    TamperKind.MODIFIED: _l("ändrad händelse"),
    TamperKind.INSERTED: _l("infogad händelse"),
    TamperKind.DELETED: _l("raderad händelse"),
    TamperKind.REORDERED: _l("omkastade händelser"),
    TamperKind.TRUNCATED: _l("kedjan avkortad efter en kontrollpunkt"),
    TamperKind.BAD_SIGNATURE: _l("ogiltig signatur på en kontrollpunkt"),
    TamperKind.REWRITTEN: _l("kedjan omräknad (kontrollpunkten stämmer inte)"),
    TamperKind.UNCOVERED: _l("händelser utan kontrollpunkt längre än tillåtet"),
    TamperKind.NO_CHECKPOINT: _l("ingen kontrollpunkt finns"),
    TamperKind.TREE: _l("det lagrade Merkleträdet stämmer inte med händelserna"),
}

# In English, for `flask audit verify` (operators' output, like the rest of the CLI).
KIND_DESCRIPTIONS = {
    TamperKind.MODIFIED: "modified event",
    TamperKind.INSERTED: "inserted event",
    TamperKind.DELETED: "deleted event",
    TamperKind.REORDERED: "reordered events",
    TamperKind.TRUNCATED: "truncated after a checkpoint",
    TamperKind.BAD_SIGNATURE: "bad checkpoint signature",
    TamperKind.REWRITTEN: "chain rewritten (checkpoint root or head differs)",
    TamperKind.UNCOVERED: "events not covered by a checkpoint within the interval",
    TamperKind.NO_CHECKPOINT: "no checkpoint exists",
    TamperKind.TREE: "stored Merkle tree differs from the events",
}


def kind_text(kind: str | None) -> str:
    """What the verifier found, in the user's language (the code itself if unknown)."""
    return str(KIND_TEXT.get(kind or "", kind or ""))  # type: ignore[call-overload]


def kind_description(kind: str | None) -> str:
    """What the verifier found, in English for the CLI."""
    return KIND_DESCRIPTIONS.get(kind or "", kind or "")  # type: ignore[call-overload]


def payload_items(payload: Any) -> list[tuple[str, str]]:
    """Payload as (key, text) pairs for display; nested values as compact JSON."""
    if not isinstance(payload, dict):
        return [("", json.dumps(payload, ensure_ascii=False))] if payload is not None else []
    items = []
    for key in sorted(payload):
        value = payload[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        items.append((key, text))
    return items
