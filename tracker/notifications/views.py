"""The user's notification list; marking read."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.access import authenticated
from tracker.extensions import db
from tracker.notifications import receivers, services
from tracker.notifications.forms import EmptyForm

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50

# Importing this module (the app factory registers the blueprint) subscribes to the signals.


def _safe_path(url: str) -> str | None:
    return url if url and url.startswith("/") and not url.startswith("//") else None


@bp.get("/notifications")
@authenticated
def index():
    user = current_user._get_current_object()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    items = services.list_for(user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = services.count_for(user)
    return render_template("notifications/index.html", items=items, page=page, total=total,
                           has_next=page * PAGE_SIZE < total, form=EmptyForm(formdata=None))


@bp.post("/notifications/<int:notification_id>/read")
@authenticated
def mark_read(notification_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    notification = services.mark_read(current_user._get_current_object(), notification_id)
    db.session.commit()
    if request.form.get("open") == "1" and _safe_path(notification.url):
        return redirect(notification.url)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@authenticated
def mark_all_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("notifications.index"))
