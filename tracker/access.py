"""Who may do what: role -> permission rules in one place, and the route decorators.

Every view function carries exactly one declaration (`public`, `authenticated` or
`requires(...)`); `tests/test_access_declared.py` walks `app.url_map` and fails on any route
without one. Object-level rules (may this user see this case?) live in each feature's
`policy.py`; loaders answer 404 for what a user may not see.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from tracker.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    CASE_CREATE = "case.create"
    CASE_VIEW = "case.view"  # object-level check still applies
    CASE_EDIT = "case.edit"
    PROCEDURE_RUN = "procedure.run"
    STAGE_POSITION = "stage.position"
    COMMENT = "comment.add"
    COUNTER_PROPOSAL = "counter_proposal.submit"
    MINUTES_DRAFT = "minutes.draft"
    MINUTES_SIGN = "minutes.sign"
    RISK_COSIGN = "risk_assessment.cosign"
    CENTRAL_NEGOTIATION_REQUEST = "central_negotiation.request"
    DECISION_REGISTER = "decision.register"
    DEADLINE_OVERRIDE = "deadline.override"
    DOCUMENT_UPLOAD = "document.upload"
    DOCUMENT_ERASE = "document.erase"
    CLEARANCE_GRANT = "clearance.grant"
    AUDIT_VIEW_ALL = "audit.view_all"
    EXPORT = "export.generate"
    USERS_MANAGE = "users.manage"
    PROFILES_VIEW = "profiles.view"


P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HR_OFFICER: frozenset({
        P.CASE_CREATE, P.CASE_VIEW, P.CASE_EDIT, P.PROCEDURE_RUN, P.STAGE_POSITION, P.COMMENT,
        P.MINUTES_DRAFT, P.MINUTES_SIGN, P.DOCUMENT_UPLOAD, P.DOCUMENT_ERASE, P.CLEARANCE_GRANT,
        P.EXPORT,
    }),
    Role.DECISION_MAKER: frozenset({
        P.CASE_VIEW, P.DECISION_REGISTER, P.DEADLINE_OVERRIDE, P.COMMENT, P.STAGE_POSITION,
        P.MINUTES_SIGN,
    }),
    Role.UNION_REP: frozenset({
        P.CASE_VIEW, P.STAGE_POSITION, P.COMMENT, P.COUNTER_PROPOSAL, P.MINUTES_SIGN,
        P.CENTRAL_NEGOTIATION_REQUEST,
    }),
    Role.SAFETY_REP: frozenset({
        P.CASE_VIEW, P.STAGE_POSITION, P.COMMENT, P.COUNTER_PROPOSAL, P.MINUTES_SIGN,
        P.CENTRAL_NEGOTIATION_REQUEST, P.RISK_COSIGN,
    }),
    Role.AUDITOR: frozenset({P.CASE_VIEW, P.AUDIT_VIEW_ALL, P.EXPORT}),
    # Administrators run the system; they have no access to case content by design.
    Role.ADMIN: frozenset({P.USERS_MANAGE, P.PROFILES_VIEW}),
}


def permissions_of(user: Any) -> frozenset[Permission]:
    """Every permission the user's roles grant (none for anonymous or inactive users)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return frozenset()
    granted: set[Permission] = set()
    for role in user.roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def has_permission(user: Any, permission: Permission) -> bool:
    """True when one of the user's roles grants `permission`."""
    return permission in permissions_of(user)


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
            from tracker.extensions import login_manager

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
                from tracker.extensions import login_manager

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
