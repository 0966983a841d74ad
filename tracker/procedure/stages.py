"""The stages of the cooperation procedure, in order: `Stage` (a StrEnum equal to its code),
`STAGES`, and the walk helpers."""
from __future__ import annotations

from tracker.procedure.enums import Stage
from tracker.procedure.labels import stage_label

__all__ = ["STAGES", "Stage", "next_stage", "stage_index", "stage_label"]

STAGES: tuple[Stage, ...] = tuple(Stage)


def stage_index(code: str) -> int:
    """Position of a stage in the walk (0-based); ValueError for an unknown code."""
    return STAGES.index(Stage(code))


def next_stage(code: str) -> Stage | None:
    """The stage after `code`, or None after the last."""
    i = stage_index(code)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None
