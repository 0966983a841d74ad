"""Optional feature modules: registered when present."""
from __future__ import annotations

import importlib.util


def module_exists(name: str) -> bool:
    """True when `name` can be imported (its parent packages too)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
