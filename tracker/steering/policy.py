"""Who may act on a case's steering group; the membership facts other features build on.

Pure predicates: no Flask. Visibility (can_view_case, can_run_procedure) is the cases feature's.
"""
from __future__ import annotations

from tracker.auth.models import OrganisationKind, Role, User
from tracker.cases.models import Case, CaseStatus
from tracker.cases.policy import can_run_procedure
from tracker.steering import roster
from tracker.steering.models import Party, SteeringMember


def current_membership(user: User, case: Case) -> SteeringMember | None:
    """The user's current membership of the case's steering group, if any (the roster: one query
    per session state)."""
    return roster.membership_of(user, case)


def is_personnel_member(user: User, case: Case) -> bool:
    """A current member on the personnel side."""
    member = current_membership(user, case)
    return member is not None and member.party == Party.PERSONNEL


def can_manage_members(user: User, case: Case) -> bool:
    """Add and end memberships: whoever runs the case's procedure (its HR officer), while the case is open."""
    return can_run_procedure(user, case)


def group_takes_new_members(case: Case) -> bool:
    """The group is formed for the procedure: new members join while the case is active, not once
    it is decided (the members who follow the decision up are those who negotiated it)."""
    return case.status == CaseStatus.ACTIVE


def can_add_members(user: User, case: Case) -> bool:
    """The add-member form: the group's managers while the group takes new members."""
    return can_manage_members(user, case) and group_takes_new_members(case)


def inferred_party(user: User) -> Party:
    """The side a person most likely represents: personnel for union and safety representatives and
    for people of a union, otherwise the employer. Only a suggestion; HR may choose the other."""
    if user.organisation.kind == OrganisationKind.UNION or user.has_role(Role.UNION_REP) \
            or user.has_role(Role.SAFETY_REP):
        return Party.PERSONNEL
    return Party.EMPLOYER
