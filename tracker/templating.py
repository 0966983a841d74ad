"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any

from flask import Flask, g, request
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup

from tracker.access import Permission, has_permission
from tracker.modules import module_exists
from tracker.timeutil import to_local

# Features may offer `header_context(user) -> dict` for the page header (e.g. unread count), and
# `header_columns() -> dict` with the same keys as SQL columns correlated to User.id.
HEADER_CONTEXT_PROVIDERS = ("tracker.notifications.services",)
# Safe requests use the header values loaded with the user at the start of the request.
_SAFE_METHODS = ("GET", "HEAD")


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC instant shown in the organisation's time zone."""
    if value is None:
        return ""
    return format_datetime(to_local(value), fmt, rebase=False)


def time_tag(value: datetime | None) -> Markup:
    """<time> with local time shown and UTC on hover."""
    if value is None:
        return Markup("")
    utc = value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return Markup('<time datetime="{iso}" title="{utc}">{local}</time>').format(
        iso=value.isoformat(), utc=utc, local=local_datetime(value)
    )


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def _provider_modules() -> list[Any]:
    return [importlib.import_module(name) for name in HEADER_CONTEXT_PROVIDERS if module_exists(name)]


def header_columns() -> dict[str, Any]:
    """The header's values as columns for the user loader's statement (see `header_context`)."""
    columns: dict[str, Any] = {}
    for module in _provider_modules():
        if hasattr(module, "header_columns"):
            columns.update(module.header_columns())
    return columns


def remember_header_values(values: dict[str, Any]) -> None:
    """Called by the user loader with the `header_columns()` it selected with the user."""
    g.header_values = values


def header_context() -> dict[str, Any]:
    """What the features put in every page's header for the signed-in user (e.g. unread
    notifications). The case page cache keys whole pages on it.

    A GET or HEAD uses the values the user loader selected with the user at the start of the
    request (no query of its own); a request that may have changed them asks the features again.
    """
    if not (current_user and current_user.is_authenticated):
        return {}
    preloaded = g.get("header_values") if request.method in _SAFE_METHODS else None
    context: dict[str, Any] = dict(preloaded or {})
    for module in _provider_modules():
        if preloaded is not None and hasattr(module, "header_columns"):
            continue  # its values came with the user
        if hasattr(module, "header_context"):
            context.update(module.header_context(current_user))
    return context


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["timetag"] = time_tag
    app.jinja_env.filters["isodate"] = iso_date
    app.jinja_env.globals["Permission"] = Permission
    from tracker.auth.labels import organisation_kind_label, role_label, role_labels

    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["role_labels"] = role_labels
    app.jinja_env.globals["organisation_kind_label"] = organisation_kind_label
    app.jinja_env.filters["role_label"] = role_label
    # Links to features that may not be installed: `{% if has_endpoint('cases.new') %}`.
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions

    @app.context_processor
    def inject() -> dict[str, Any]:
        context: dict[str, Any] = {
            "can": lambda permission: has_permission(current_user, Permission(permission)),
            "current_locale": str(get_locale() or "sv"),
        }
        context.update(header_context())
        return context
