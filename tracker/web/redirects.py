"""Where a form may send the browser next: only to a path of this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (`/cases/3?x=1`), else None.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so `/\\evil.example`
    and `/<TAB>/evil.example` would both leave the site: anything with a backslash, whitespace or
    a control character is refused, as is a scheme, a host or a `//` start.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
