"""The user's notification list; marking read."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.notifications import queries, services
from tracker.notifications.models import Notification
from tracker.notifications.policy import can_read_notification
from tracker.web.access import authenticated, current_actor, load_or_404
from tracker.web.forms import CsrfForm

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # far beyond any user's notifications; keeps the offset within BIGINT


def _safe_path(url: str) -> str | None:
    return url if url and url.startswith("/") and not url.startswith("//") else None


@bp.get("/notifications")
@authenticated
def index() -> str:
    """The user's notifications, newest first, a page at a time."""
    user = current_actor()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    if page > MAX_PAGE:
        abort(404)  # no such page; its offset would overflow the database's integers
    items = queries.list_for(user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = queries.count_for(user)
    return render_template("notifications/index.html", items=items, page=page, total=total,
                           has_next=page * PAGE_SIZE < total, form=CsrfForm(formdata=None))


@bp.post("/notifications/<int:notification_id>/read")
@authenticated
def mark_read(notification_id: int) -> Response:
    """Mark one read; with `open=1`, go where it points."""
    if not CsrfForm().validate_on_submit():
        abort(400)
    notification = load_or_404(Notification, notification_id, can_read_notification)
    services.mark_read(current_actor(), notification)
    if request.form.get("open") == "1" and _safe_path(notification.url):
        return redirect(notification.url)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@authenticated
def mark_all_read() -> Response:
    """Mark every notification read."""
    if not CsrfForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_actor())
    return redirect(url_for("notifications.index"))
