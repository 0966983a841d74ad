"""Comments and counter-proposals on a case's stages."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the comment Markdown filter."""
    from tracker.discussion.labels import comment_markdown
    from tracker.discussion.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(comment_markdown, "comment_markdown")
