"""The start page: each role lands on what it works with, its to-do list first."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.models import Role
from tracker.home.labels import due_text, task_text
from tracker.home.queries import home_for
from tracker.home.sections import sections_for
from tracker.notifications.services import resolve_done
from tracker.web.access import Permission, authenticated, current_actor, has_permission, public

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def root() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return redirect(url_for("auth.login"))


@bp.get("/home")
@authenticated
def index() -> str:
    user = current_actor()
    # Admins run the system and see no case content, so no case dashboard and no to-do for them.
    home = home_for(user) if has_permission(user, Permission.CASE_VIEW) else None
    if home is not None:
        # What is done is no longer news: its notifications are marked done (and read) here too.
        resolve_done(user, home.todo.keys)
    return render_template(
        "home/index.html",
        role=user.primary_role,
        roles=sorted(user.roles, key=list(Role).index),
        sections=sections_for(user),
        todo=[(task, task_text(task), due_text(task)) for task in home.todo.tasks] if home is not None else None,
        dash=home.dashboard if home is not None else None,
    )
