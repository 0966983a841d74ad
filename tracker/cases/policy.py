"""Who may see and act on a case. Views, services and templates all ask these."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select, union

from tracker.access import Permission, has_permission
from tracker.auth.models import Role, User
from tracker.cases.models import Case
from tracker.steering.models import SteeringMember


def _member_clause(user: User):
    return exists().where(
        SteeringMember.case_id == Case.id,
        SteeringMember.user_id == user.id,
        SteeringMember.left_at.is_(None),
    )


def is_member(user: User, case: Case) -> bool:
    """A current steering-group member of the case."""
    from tracker.extensions import db

    return db.session.execute(
        select(SteeringMember.id).where(
            SteeringMember.case_id == case.id,
            SteeringMember.user_id == user.id,
            SteeringMember.left_at.is_(None),
        ).limit(1)
    ).first() is not None


def is_responsible_hr(user: User, case: Case) -> bool:
    return case.responsible_hr_id == user.id and user.has_role(Role.HR_OFFICER)


def can_view_case(user: Any, case: Case) -> bool:
    """Members, the responsible HR officer and auditors; nobody else (admins neither)."""
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    if user.has_role(Role.AUDITOR) or is_responsible_hr(user, case):
        return True
    return is_member(user, case)


def can_run_procedure(user: Any, case: Case) -> bool:
    """The case's responsible HR officer, or an HR officer who is an employer-side member."""
    if not has_permission(user, Permission.PROCEDURE_RUN) or case.is_archived:
        return False
    return is_responsible_hr(user, case) or is_member(user, case)


def visible_cases(user: User) -> Select:
    """A select of the cases `user` may see (compose filters and paging on it)."""
    query = select(Case)
    if not has_permission(user, Permission.CASE_VIEW):
        return query.where(False)
    if user.has_role(Role.AUDITOR):
        return query
    # `id IN (member case ids UNION responsible case ids)`: each half uses its own index
    # (steering_members.user_id, cases.responsible_hr_id), where `EXISTS(..) OR ..` made PostgreSQL
    # walk the whole case list testing every row.
    ids = select(SteeringMember.case_id).where(SteeringMember.user_id == user.id, SteeringMember.left_at.is_(None))
    if user.has_role(Role.HR_OFFICER):
        ids = union(ids, select(Case.id).where(Case.responsible_hr_id == user.id))
    return query.where(Case.id.in_(ids))
