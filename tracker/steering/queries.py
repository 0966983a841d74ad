"""Reads for the steering group: its members now and over time, and the case-page panel."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.auth.models import Organisation, OrganisationKind, Role, User, UserRole
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.steering.models import SteeringMember
from tracker.steering.policy import can_add_members, can_manage_members
from tracker.steering.services import all_members

# Who may be proposed in the add-member form (the service decides which party each may represent).
ELIGIBLE_ROLES = (Role.HR_OFFICER, Role.DECISION_MAKER, Role.UNION_REP, Role.SAFETY_REP)


@dataclass(frozen=True)
class MemberChoices:
    """What the add-member form offers: people, unions and the case's units."""

    users: tuple[User, ...]
    unions: tuple[Organisation, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class SteeringPanel:
    """The steering group of a case as the case page and the members page show it."""

    case_id: int
    current: tuple[SteeringMember, ...]
    former: tuple[SteeringMember, ...]
    can_manage: bool
    can_add: bool  # the add-member form (active cases only)
    # Only when the user may manage the group (two more queries).
    choices: MemberChoices | None


def member_choices(case: Case) -> MemberChoices:
    """Active users holding a role that can sit in a steering group, the unions, the case's units."""
    users = db.session.execute(
        select(User).where(User.active.is_(True), User.id.in_(
            select(UserRole.user_id).where(UserRole.role.in_([str(r) for r in ELIGIBLE_ROLES]))))
        .order_by(User.name)).scalars().unique().all()
    unions = db.session.execute(
        select(Organisation).where(Organisation.kind == OrganisationKind.UNION).order_by(Organisation.name)
    ).scalars().all()
    return MemberChoices(tuple(users), tuple(unions), tuple(case.unit_names))


def panel(user: User, case: Case, *, with_choices: bool = False) -> SteeringPanel:
    """The case's steering group for `user` (three queries at most, however many members).
    `with_choices` loads the people and unions to add, for the members page's form."""
    members = all_members(case)
    manage = can_manage_members(user, case)
    return SteeringPanel(
        case_id=case.id,
        current=tuple(m for m in members if m.left_at is None),
        former=tuple(m for m in members if m.left_at is not None),
        can_manage=manage,
        can_add=manage and can_add_members(user, case),
        choices=member_choices(case) if manage and with_choices else None,
    )
