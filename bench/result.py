"""What a measurement hands back: rows of figures, each optionally against a baseline and a target."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class Skip(Exception):
    """A measurement cannot run yet (e.g. the feature it measures has not landed)."""


@dataclass
class Row:
    metric: str
    value: float | int | str | None
    unit: str = ""
    baseline: float | int | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    meets: bool | None = None


@dataclass
class Result:
    name: str
    status: str = "ok"  # ok | error | skipped
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, metric: str, value: Any, unit: str = "", *, baseline: Any = None, baseline_name: str = "",
            ratio: float | None = None, target: str = "", meets: bool | None = None) -> Row:
        if ratio is None and baseline and isinstance(value, (int, float)) and isinstance(baseline, (int, float)):
            ratio = value / baseline
        row = Row(metric, value, unit, baseline, baseline_name, ratio, target, meets)
        self.rows.append(row)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        rows = [Row(**row) for row in data.get("rows", [])]
        return cls(**{**data, "rows": rows})


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
