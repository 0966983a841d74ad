"""The steering group of a case: members of both parties, with history."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the label filters and the session listeners that forget the
    remembered steering groups (tracker/steering/roster.py)."""
    from sqlalchemy import event

    from tracker.extensions import db
    from tracker.steering import roster
    from tracker.steering.labels import member_role_label, party_label
    from tracker.steering.views import bp

    app.register_blueprint(bp)
    for name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
        if not event.contains(db.session, name, roster.forget):
            event.listen(db.session, name, roster.forget)
    app.add_template_filter(party_label, "party_label")
    app.add_template_filter(member_role_label, "member_role_label")
