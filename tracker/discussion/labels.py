"""The discussion's words and its one display filter (comment Markdown)."""
from __future__ import annotations

from tracker.discussion.rendering import render_markdown
from tracker.i18n import lazy_gettext as _l

MARKDOWN_HINT = _l("Enkel formatering: **fet**, *kursiv*, listor med - och länkar [text](https://…).")

# Registered as the `comment_markdown` template filter (tracker/discussion/__init__.py).
comment_markdown = render_markdown
