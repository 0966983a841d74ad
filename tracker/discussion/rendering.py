"""Comment Markdown: a small CommonMark subset, no raw HTML, sanitised with an allow-list."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Headings are off so a comment cannot break the page's heading order; images are off (no
# third-party requests, CSP img-src 'self').
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["heading", "lheading", "image"])


def render_markdown(source: str) -> Markup:
    """Safe HTML for a comment body (raw HTML escaped, then cleaned by nh3)."""
    html = _md.render(source or "")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    return Markup(cleaned)
