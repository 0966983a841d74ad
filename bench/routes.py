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


def find_path(app, name: str, value: int | str | None = None) -> str | None:
    """The GET path for page `name` with its one variable set to `value`, or None if absent."""
    pattern = re.compile(PAGES[name])
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and pattern.match(rule.rule):
            return VAR.sub(str(value), rule.rule)
    return None


def search_param(app) -> str:
    """The case list's search parameter (q unless the list names another)."""
    return "q"
