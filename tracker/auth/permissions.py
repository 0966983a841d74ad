"""What each role may do: role -> permission rules in one place. Pure: no Flask, no database.

Object-level rules (may this user see this case?) live in each feature's `policy.py` and build on
`has_permission`.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from tracker.auth.models import Role


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
