"""What a meeting link may be: an http(s) URL with a host, no whitespace or control characters."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from tracker.i18n import gettext as _

MAX_LINK_LENGTH = 500


def is_safe_meeting_link(link: str) -> bool:
    """True for an absolute http/https URL of sane length without whitespace or control characters."""
    if not link or len(link) > MAX_LINK_LENGTH:
        return False
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in link):
        return False
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def invalid_link_message() -> str:
    """The one explanation of a refused link (service and form alike)."""
    return _("Länken måste vara en webbadress som börjar med https:// eller http://, utan mellanslag, "
             "radbrytningar eller styrtecken, och högst %(max)d tecken lång.", max=MAX_LINK_LENGTH)
