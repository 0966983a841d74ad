"""Confidential documents: versions, classes, encryption at rest, audited reads."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI commands and the blob listeners on the app's session, and
    build the configured blob store (a bad DOCUMENT_STORE_BACKEND fails here, at startup)."""
    from tracker.documents import storage
    from tracker.documents.cli import commands
    from tracker.documents.services import blobs
    from tracker.documents.views import bp

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    blobs.install()
    storage.check_backend(app)
    from tracker.cases.models import Case
    from tracker.cases.policy import can_view_case
    from tracker.documents.models import Document
    from tracker.web.access import load_or_404, register_url_scope

    # A document of a case the user cannot see answers 404 even without the permission.
    register_url_scope(app, "document_id", lambda ident: load_or_404(
        Case, load_or_404(Document, ident).case_id, can_view_case))
