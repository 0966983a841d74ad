"""The product's page URLs, found in app.url_map by shape (the bench does not hard-code endpoints)."""
from __future__ import annotations

import re

VAR = re.compile(r"<(?:[a-z_]+:)?[a-z_]+>")

PAGES = {
    "case list": r"^/cases/?$",
    "case page": r"^/cases/<[^>]+>/?$",
    "audit page": r"^/audit/?$",
    "case audit page": r"^/cases/<[^>]+>/audit/?$",
    "dashboard": r"^/home/?$",
}

# The writes of the realistic page mix (bench/mix.py), POST routes.
WRITES = {
    "comment": r"^/cases/<[^>]+>/stages/<[^>]+>/comments/?$",
    "stage content": r"^/cases/<[^>]+>/stages/<[^>]+>/content/?$",
    "notifications read": r"^/notifications/read-all/?$",
}


def _fill(rule: str, values: tuple[int | str, ...]) -> str:
    """`rule` with its variables set to `values`, in order."""
    it = iter(values)
    return VAR.sub(lambda _match: str(next(it, None)), rule)


def find_path(app, name: str, *values: int | str | None) -> str | None:
    """The GET path for page `name` with its variables set to `values`, or None if absent."""
    return _find(app, PAGES[name], "GET", values)


def find_write(app, name: str, *values: int | str) -> str | None:
    """The POST path for write `name` with its variables set to `values`, or None if absent."""
    return _find(app, WRITES[name], "POST", values)


def _find(app, shape: str, method: str, values: tuple) -> str | None:
    pattern = re.compile(shape)
    for rule in app.url_map.iter_rules():
        if method in (rule.methods or ()) and pattern.match(rule.rule):
            return _fill(rule.rule, values)
    return None


def search_param(app) -> str:
    """The case list's search parameter (q unless the list names another)."""
    return "q"
