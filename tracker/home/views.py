"""The start page: each role lands on what it works with."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from tracker.access import Permission, authenticated, has_permission, public
from tracker.auth.models import Role

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def root():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return redirect(url_for("auth.login"))


@bp.get("/home")
@authenticated
def index():
    user = current_user._get_current_object()
    return render_template(
        "home/index.html",
        role=user.primary_role,
        roles=sorted(user.roles, key=list(Role).index),
        # Admins run the system and see no case content, so no case dashboard for them.
        show_dashboard=has_permission(user, Permission.CASE_VIEW),
    )
