"""The start page: each role lands on what it works with."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from tracker.access import authenticated, public

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
    return render_template("home/index.html", role=current_user.primary_role)
