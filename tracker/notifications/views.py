"""The user's notification list (grouped per case, filterable); marking read; the digest choice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.home.queries import todo_for
from tracker.i18n import gettext as _
from tracker.notifications import queries, services
from tracker.notifications.forms import DigestForm
from tracker.notifications.labels import KIND_LABELS, kind_label, message
from tracker.notifications.models import Notification, NotificationKind
from tracker.notifications.policy import can_read_notification
from tracker.notifications.queries import Filters
from tracker.web.access import authenticated, current_actor, load_or_404
from tracker.web.forms import CsrfForm

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # far beyond any user's notifications; keeps the offset within BIGINT


@dataclass(frozen=True)
class Row:
    """One notification as the list shows it, its sentence in the reader's language."""

    id: int
    text: str
    kind_label: str
    url: str
    created_at: datetime
    is_read: bool
    is_done: bool
    has_task: bool


@dataclass(frozen=True)
class Group:
    """The notifications of one case (or of none) on this page."""

    case_id: int | None
    heading: str
    rows: tuple[Row, ...]


def _safe_path(url: str) -> str | None:
    return url if url and url.startswith("/") and not url.startswith("//") else None


def _int_arg(name: str) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value <= 2**31 else None


def _filters() -> Filters:
    kind = request.args.get("kind", "")
    state = request.args.get("state", "")
    return Filters(case_id=_int_arg("case"), kind=NotificationKind(kind) if kind in set(NotificationKind) else None,
                   state=state if state in queries.STATES else "")


def _groups(items: list[tuple[Notification, str | None, str | None]]) -> list[Group]:
    order: list[int | None] = []
    rows: dict[int | None, list[Row]] = {}
    headings: dict[int | None, str] = {}
    for n, diary, title in items:
        if n.case_id not in rows:
            order.append(n.case_id)
            rows[n.case_id] = []
            headings[n.case_id] = f"{diary} {title}" if diary else _("Övrigt")
        rows[n.case_id].append(Row(n.id, message(n.kind, n.params), kind_label(n.kind), n.url, n.created_at,
                                   n.is_read, n.is_done, n.task_key is not None))
    return [Group(case_id, headings[case_id], tuple(rows[case_id])) for case_id in order]


@bp.get("/notifications")
@authenticated
def index() -> str:
    """The user's notifications, newest first, grouped per case, a page at a time."""
    user = current_actor()
    page = _int_arg("page") or 1
    if page > MAX_PAGE:
        abort(404)  # no such page; its offset would overflow the database's integers
    # Notifications whose task is done (or superseded) are marked so before they are listed.
    services.resolve_done(user, todo_for(user).keys)
    filters = _filters()
    items = queries.list_for(user, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = queries.count_for(user, filters)
    digest_form = DigestForm(formdata=None, daily_digest=queries.takes_daily_digest(user))
    args = {k: v for k, v in (("case", filters.case_id), ("kind", filters.kind), ("state", filters.state)) if v}
    return render_template(
        "notifications/index.html", groups=_groups(items), page=page, total=total,
        has_next=page * PAGE_SIZE < total, form=CsrfForm(formdata=None), digest_form=digest_form,
        filters=filters, args=args, case_choices=queries.cases_for(user),
        kind_choices=[(str(k), str(label)) for k, label in KIND_LABELS.items() if k != NotificationKind.STAGE_CHANGED])


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


@bp.post("/notifications/preferences")
@authenticated
def preferences() -> Response:
    """One mail per notification, or a daily digest."""
    form = DigestForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_daily_digest(current_actor(), bool(form.daily_digest.data))
    flash(_("Dina val för e-post är sparade."), "success")
    return redirect(url_for("notifications.index"))
