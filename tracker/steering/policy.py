"""Who may act on a case's steering group, discussion and risk assessment."""
from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from tracker.access import Permission, has_permission
from tracker.auth.models import Role
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.steering.models import Party


def load_case_or_404(case_id: int, user: Any = None) -> Case:
    """The case if `user` (default: current user) may see it; 404 otherwise (never 403)."""
    user = current_user if user is None else user
    from tracker.cases.policy import can_view_case

    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(user, case):
        abort(404)
    return case


def membership(user: Any, case: Case):
    from tracker.steering.services import current_membership

    return current_membership(case, user)


def can_manage_members(user: Any, case: Case) -> bool:
    from tracker.cases.policy import can_run_procedure

    return can_run_procedure(user, case)


def can_comment(user: Any, case: Case) -> bool:
    """Current members and the responsible HR officer, holding Permission.COMMENT."""
    from tracker.cases.policy import is_responsible_hr

    if case.is_archived or not has_permission(user, Permission.COMMENT):
        return False
    return is_responsible_hr(user, case) or membership(user, case) is not None


def is_personnel_member(user: Any, case: Case) -> bool:
    m = membership(user, case)
    return m is not None and m.party == Party.PERSONNEL


def can_submit_counter_proposal(user: Any, case: Case) -> bool:
    return (not case.is_archived and has_permission(user, Permission.COUNTER_PROPOSAL)
            and is_personnel_member(user, case))


def can_cosign_risk(user: Any, case: Case) -> bool:
    """A safety_rep who is a current personnel-side member (any role, incl. safety_representative)."""
    return (not case.is_archived and has_permission(user, Permission.RISK_COSIGN)
            and user.has_role(Role.SAFETY_REP) and is_personnel_member(user, case))
