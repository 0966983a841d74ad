"""The stages of the cooperation procedure, in order."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGES: tuple[str, ...] = (
    "early_information",
    "grounds",
    "effects",
    "alternatives",
    "closing",
    "decision",
    "evaluation",
)

_LABELS = {
    "early_information": _l("Tidig information"),
    "grounds": _l("Grunder"),
    "effects": _l("Verkningar"),
    "alternatives": _l("Alternativ"),
    "closing": _l("Avslutande"),
    "decision": _l("Beslut"),
    "evaluation": _l("Utvärdering"),
}


def stage_label(code: str) -> str:
    """The translated name of a stage."""
    label = _LABELS.get(code)
    return str(label) if label is not None else code


def stage_index(code: str) -> int:
    """Position of a stage in the walk (0-based); ValueError for an unknown code."""
    return STAGES.index(code)


def next_stage(code: str) -> str | None:
    """The stage after `code`, or None after the last."""
    i = stage_index(code)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None
