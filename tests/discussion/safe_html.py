"""Test helper: find active content in HTML with a real parser."""
from __future__ import annotations

from html.parser import HTMLParser

# Tags a page may never carry from user content (the app's only scripts are its own files under /static/,
# which CSP allows; inline script is forbidden).
DANGEROUS_TAGS = {"script", "img", "iframe", "object", "embed", "svg", "style", "math", "base", "frame"}


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        own_script = tag == "script" and (dict(attrs).get("src") or "").startswith("/static/")
        if tag in DANGEROUS_TAGS and not own_script:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value and \
                    value.strip().lower().replace("\t", "").startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{tag}[{name}={value}]")


def active_content(html: str) -> list[str]:
    """Every dangerous tag, event-handler attribute or script URL in `html`."""
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems
