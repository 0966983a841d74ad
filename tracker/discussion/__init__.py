"""Comments and counter-proposals on a case's stages."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the comment Markdown filter."""
    from tracker.discussion.labels import comment_markdown
    from tracker.discussion.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(comment_markdown, "comment_markdown")
    from tracker.discussion.models import Comment, CounterProposal
    from tracker.discussion.views import _in_visible_case
    from tracker.web.access import load_or_404, register_url_scope

    # A comment or proposal of a case the user cannot see answers 404 even without the permission.
    register_url_scope(app, "comment_id", lambda ident: load_or_404(Comment, ident, _in_visible_case))
    register_url_scope(app, "proposal_id", lambda ident: load_or_404(CounterProposal, ident, _in_visible_case))
