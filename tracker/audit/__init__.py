"""The tamper-evident audit trail: one append-only, hash-chained table."""
from __future__ import annotations

from flask import Flask

from tracker.web.access import register_denial_recorder


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI commands and the label filters."""
    from tracker.audit import witness_cli  # noqa: F401 - adds its commands to `flask audit`
    from tracker.audit.cli import commands
    from tracker.audit.denials import record_denial
    from tracker.audit.labels import payload_items
    from tracker.audit.views import bp
    from tracker.audit.witness_client import on_checkpoint_written
    from tracker.signals import checkpoint_written

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    app.jinja_env.filters["audit_payload_items"] = payload_items
    register_denial_recorder(app, record_denial)
    checkpoint_written.connect(on_checkpoint_written)
