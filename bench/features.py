"""Find the features' public functions as they land (the bench is built in parallel with them)."""
from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable
from typing import Any

from bench.result import Skip


def module_exists(name: str) -> bool:
    """True when `name` can be imported (its parent packages too)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def function(module: str, *names: str, feature: str) -> Callable[..., Any]:
    """The first of `names` in `module`, or Skip naming the missing feature."""
    if not module_exists(module):
        raise Skip(f"{feature}: {module} does not exist yet")
    mod = importlib.import_module(module)
    for name in names:
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    raise Skip(f"{feature}: none of {', '.join(names)} in {module} yet")


def call_with(fn: Callable[..., Any], **available: Any) -> Any:
    """Call `fn` passing only the keyword arguments its signature names."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**available)
    return fn(**{k: v for k, v in available.items() if k in params})
