"""Who may see and act on a case. Views, services and templates all ask these.

Pure predicates: no Flask. `is_member` reads the steering group through the case's own session
(`tracker.steering.roster`: once per session state, however often a page asks), so this module
needs no application context of its own.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, Select, false, select, union
from sqlalchemy.orm import object_session

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case, CaseDecisionMaker, CaseStatus
from tracker.steering import roster
from tracker.steering.models import SteeringMember


def is_member(user: User, case: Case) -> bool:
    """A current steering-group member of the case."""
    if case.id is None or user.id is None:
        return False
    return roster.membership_of(user, case) is not None


def is_assigned_decision_maker(user: User, case: Case) -> bool:
    """A decision maker HR assigned to the case (current assignment, and still holding the role)."""
    session = object_session(case)
    if session is None or case.id is None or user.id is None or not user.has_role(Role.DECISION_MAKER):
        return False
    return session.execute(
        select(CaseDecisionMaker.id).where(
            CaseDecisionMaker.case_id == case.id,
            CaseDecisionMaker.user_id == user.id,
            CaseDecisionMaker.ended_at.is_(None),
        ).limit(1)
    ).first() is not None


def is_responsible_hr(user: User, case: Case) -> bool:
    """The case's responsible HR officer (who must still hold the HR role)."""
    return case.responsible_hr_id == user.id and user.has_role(Role.HR_OFFICER)


def can_open_case(user: User) -> bool:
    """HR officers register cases (and become their responsible HR officer)."""
    return has_permission(user, Permission.CASE_CREATE) and user.has_role(Role.HR_OFFICER)


def can_view_case(user: User, case: Case) -> bool:
    """Members, the responsible HR officer, the assigned decision makers and auditors; nobody else
    (admins neither)."""
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    if user.has_role(Role.AUDITOR) or is_responsible_hr(user, case):
        return True
    return is_member(user, case) or is_assigned_decision_maker(user, case)


def can_assign_decision_makers(user: User, case: Case) -> bool:
    """Assign or end a case's decision makers: an HR officer who runs its procedure, while not archived."""
    return user.has_role(Role.HR_OFFICER) and can_run_procedure(user, case)


def can_run_procedure(user: User, case: Case) -> bool:
    """The case's responsible HR officer, or an HR officer who is a member, while not archived."""
    if not has_permission(user, Permission.PROCEDURE_RUN) or case.is_archived:
        return False
    return is_responsible_hr(user, case) or is_member(user, case)


def can_edit_case(user: User, case: Case) -> bool:
    """The responsible HR officer (or an HR member) while the case is active."""
    if not has_permission(user, Permission.CASE_EDIT) or case.status != CaseStatus.ACTIVE:
        return False
    return is_responsible_hr(user, case) or (user.has_role(Role.HR_OFFICER) and is_member(user, case))


def visible_cases(user: User) -> Select[Case]:
    """A select of the cases `user` may see (compose filters and paging on it)."""
    query = select(Case)
    if not has_permission(user, Permission.CASE_VIEW):
        return query.where(false())
    if user.has_role(Role.AUDITOR):
        return query
    return query.where(Case.id.in_(involved_case_ids(user)))


def involved_case_ids(user: User) -> Select[Any] | CompoundSelect:
    """A select of the ids of the cases `user` takes part in: current member, assigned decision
    maker (holding the role) or responsible HR officer (holding the role). What every user but an
    auditor may see (`visible_cases`), and where the to-do list looks.

    `id IN (member case ids UNION responsible case ids)`: each half uses its own index
    (steering_members.user_id, cases.responsible_hr_id), where `EXISTS(..) OR ..` made PostgreSQL
    walk the whole case list testing every row."""
    parts: list[Select[Any]] = [select(SteeringMember.case_id).where(
        SteeringMember.user_id == user.id, SteeringMember.left_at.is_(None))]
    if user.has_role(Role.DECISION_MAKER):
        parts.append(select(CaseDecisionMaker.case_id).where(
            CaseDecisionMaker.user_id == user.id, CaseDecisionMaker.ended_at.is_(None)))
    if user.has_role(Role.HR_OFFICER):
        parts.append(select(Case.id).where(Case.responsible_hr_id == user.id))
    return union(*parts) if len(parts) > 1 else parts[0]
