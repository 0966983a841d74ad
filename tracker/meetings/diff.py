"""Side-by-side difference of two minutes versions (pure: no database)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from tracker.meetings.models import MinutesVersion


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "equal" | "changed" | "added" | "removed"
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def diff_versions(old: MinutesVersion, new: MinutesVersion) -> list[DiffRow]:
    """Line-by-line side-by-side difference (difflib); the template escapes the text."""
    a, b = old.body.split("\n"), new.body.split("\n")
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1)]
            continue
        left, right = list(range(i1, i2)), list(range(j1, j2))
        for k in range(max(len(left), len(right))):
            li = left[k] if k < len(left) else None
            rj = right[k] if k < len(right) else None
            kind = "changed" if li is not None and rj is not None else ("removed" if rj is None else "added")
            rows.append(DiffRow(kind, None if li is None else li + 1, "" if li is None else a[li],
                                None if rj is None else rj + 1, "" if rj is None else b[rj]))
    return rows
