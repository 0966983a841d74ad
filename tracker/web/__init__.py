"""The cross-cutting web layer: access declarations, the transaction boundary, forms, error pages
and Jinja filters. Nothing domain-specific lives here; features build on it."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the error pages, the template filters and the transaction boundary's hooks."""
    from tracker.web import error_summary, errors, malformed, proxies, security, static_assets, templating, transaction

    errors.init_app(app)
    error_summary.init_app(app)
    malformed.init_app(app)
    proxies.init_app(app)
    security.init_app(app)
    static_assets.init_app(app)
    templating.init_app(app)
    transaction.init_app(app)
