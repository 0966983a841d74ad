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

from flask import Flask, abort, current_app
from flask_login import current_user

from tracker.auth.permissions import Permission, has_permission, permissions_of
from tracker.extensions import db, login_manager
from tracker.web.transaction import persist_on_failure

__all__ = ["Permission", "authenticated", "current_actor", "has_permission", "load_or_404", "public",
           "register_denial_recorder", "register_url_scope", "requires"]

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
_DENIAL_RECORDER = "tracker.denial_recorder"
_URL_SCOPES = "tracker.url_scopes"

# (user, refused row, kind or None) -> whether an event was recorded (the audit feature's recorder).
DenialRecorder = Callable[[Any, Any, "str | None"], bool]


def register_denial_recorder(app: Flask, recorder: DenialRecorder) -> None:
    """Have `load_or_404` hand every refused row to `recorder` (the audit feature registers one)."""
    app.extensions[_DENIAL_RECORDER] = recorder


def register_url_scope(app: Flask, argument: str, guard: Callable[[Any], object]) -> None:
    """`guard(value)` loads the object a URL argument (`case_id`, `meeting_id`, ...) names with
    `load_or_404` and the feature's visibility predicate. `requires` runs it before refusing a
    missing permission, so a case the user cannot see answers 404 on every URL, not 403."""
    app.extensions.setdefault(_URL_SCOPES, {})[argument] = guard


def _guard_scopes(kwargs: dict[str, Any]) -> None:
    guards: dict[str, Callable[[Any], object]] = current_app.extensions.get(_URL_SCOPES, {})
    for name, value in kwargs.items():
        guard = guards.get(name)
        if guard is not None:
            guard(value)  # aborts 404 when the user may not see it


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
            if not all(p in granted for p in needed) or (
                    alternatives and not any(p in granted for p in alternatives)):
                _guard_scopes(kwargs)  # a case the user cannot see is a 404 whatever the permission
                abort(403)
            return view(*args, **kwargs)

        rule = "requires:" + ",".join(str(p) for p in (*needed, *alternatives))
        return _declare(wrapper, rule)  # type: ignore[return-value]

    return decorate


def current_actor() -> Any:
    """The signed-in user object itself (not the proxy), to hand to services."""
    return current_user._get_current_object()


def load_or_404(model: type[M], ident: Any, predicate: Callable[[Any, M], bool] | None = None,
                user: Any = None, *, kind: str | None = None) -> M:
    """The `model` row with primary key `ident` when `predicate(user, row)` holds; 404 otherwise.

    "Missing" and "not yours" answer the same 404 (flaskr's `get_post`), and out-of-range ids are
    simply missing. `user` defaults to the signed-in user. A row that exists but is refused is
    handed to the registered denial recorder (an audited `<kind>.access_denied`, kept although the
    answer is 404); `kind` names what was refused when the model's name does not (`export` for a
    case refused on its export route). A missing row is a denial of nothing and records nothing.
    """
    if isinstance(ident, int) and not _BIGINT_MIN <= ident <= _BIGINT_MAX:
        abort(404)  # no such row can exist; asking the database would fail instead
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    if predicate is None:
        return row
    actor = current_actor() if user is None else user
    if not predicate(actor, row):
        recorder: DenialRecorder | None = current_app.extensions.get(_DENIAL_RECORDER)
        if recorder is not None and recorder(actor, row, kind):
            persist_on_failure()
        abort(404)
    return row
