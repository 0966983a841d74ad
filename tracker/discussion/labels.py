"""The discussion's words and its one display filter (comment Markdown)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.discussion.rendering import render_markdown

MARKDOWN_HINT = _l("Enkel formatering: **fet**, *kursiv*, listor med - och länkar [text](https://…).")

# Registered as the `comment_markdown` template filter (tracker/discussion/__init__.py).
comment_markdown = render_markdown
