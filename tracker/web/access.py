"""Who may use a route, and loading an object the user may see.

Every view function carries exactly one declaration (`public`, `authenticated` or
`requires(...)`); `tests/test_access_declared.py` walks `app.url_map` and fails on any route
without one. Object-level rules live in each feature's `policy.py`; `load_or_404` answers 404
alike for "missing" and "not yours", so no view can forget the check or reveal which it was.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from tracker.auth.permissions import Permission, has_permission, permissions_of
from tracker.extensions import db, login_manager

__all__ = ["Permission", "authenticated", "current_actor", "has_permission", "load_or_404", "public", "requires"]

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


def _declare(view: F, rule: str) -> F:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Anyone, logged in or not (login page, health check)."""
    return _declare(view, "public")


def authenticated(view: F) -> F:
    """Any logged-in, active user."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _declare(wrapper, "authenticated")  # type: ignore[return-value]


def requires(*needed: Permission, any_of: Iterable[Permission] = ()) -> Callable[[F], F]:
    """A logged-in user holding every permission in `needed` (or at least one of `any_of`)."""
    alternatives = tuple(any_of)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            granted = permissions_of(current_user)
            if not all(p in granted for p in needed):
                abort(403)
            if alternatives and not any(p in granted for p in alternatives):
                abort(403)
            return view(*args, **kwargs)

        rule = "requires:" + ",".join(str(p) for p in (*needed, *alternatives))
        return _declare(wrapper, rule)  # type: ignore[return-value]

    return decorate


def current_actor() -> Any:
    """The signed-in user object itself (not the proxy), to hand to services."""
    return current_user._get_current_object()


def load_or_404(model: type[M], ident: Any, predicate: Callable[[Any, M], bool] | None = None,
                user: Any = None) -> M:
    """The `model` row with primary key `ident` when `predicate(user, row)` holds; 404 otherwise.

    "Missing" and "not yours" answer the same 404 (flaskr's `get_post`), and out-of-range ids are
    simply missing. `user` defaults to the signed-in user.
    """
    if isinstance(ident, int) and not _BIGINT_MIN <= ident <= _BIGINT_MAX:
        abort(404)  # no such row can exist; asking the database would fail instead
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    if predicate is not None and not predicate(current_actor() if user is None else user, row):
        abort(404)
    return row
