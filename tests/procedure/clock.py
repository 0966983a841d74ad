"""A settable clock for the procedure's services and reads (tests only): the `utcnow` seams."""
from __future__ import annotations

from datetime import datetime

import pytest

_MODULES = (
    "tracker.procedure.queries",
    "tracker.procedure.facts",
    "tracker.procedure.services.stages",
    "tracker.procedure.services.closing",
    "tracker.procedure.services.decision",
    "tracker.procedure.services.evaluation",
)


class Clock:
    """`set(when)` makes every procedure module's `utcnow()` answer `when`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._mp = monkeypatch

    def set(self, when: datetime) -> None:
        for module in _MODULES:
            self._mp.setattr(f"{module}.utcnow", lambda: when)
