"""Steering-group membership: who represents whom in a case's cooperation procedure."""
from __future__ import annotations

from collections.abc import Iterable

from tracker.audit.service import record
from tracker.auth.models import Organisation, OrganisationKind, Role, User
from tracker.cases.models import Case
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.signals import member_added
from tracker.steering import roster
from tracker.steering.models import MemberRole, Party, SteeringMember
from tracker.steering.policy import can_manage_members, group_takes_new_members
from tracker.steering.policy import current_membership as policy_membership
from tracker.timeutil import utcnow

PERSONNEL_ROLES = frozenset({Role.UNION_REP, Role.SAFETY_REP})
EMPLOYER_ROLES = frozenset({Role.HR_OFFICER, Role.DECISION_MAKER})


def _require_manager(actor: User | None, case: Case) -> None:
    # None is the shell/system (demo, CLI), which acts outside any case role.
    if actor is not None and not can_manage_members(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare kan ändra styrnings- och uppföljningsgruppen."))


def current_members(case: Case) -> list[SteeringMember]:
    """Current members (left_at is null), ordered by party then join time (the roster)."""
    return sorted(roster.current(case), key=lambda m: (str(m.party), m.joined_at, m.id))


def all_members(case: Case) -> list[SteeringMember]:
    """Every membership, past and present (history), by join time (the roster)."""
    return list(roster.memberships(case))


def current_membership(case: Case, user: User | None) -> SteeringMember | None:
    """The user's current membership of the case's steering group (policy.current_membership)."""
    return None if user is None else policy_membership(user, case)


def signatories(case: Case, party: Party | str) -> list[User]:
    """Users who sign for `party`: current members with role chair or signatory; falls back to
    every current member of the party when none carries such a role."""
    members = [m for m in current_members(case) if m.party == party]
    signing = [m for m in members if m.role in (MemberRole.SIGNATORY, MemberRole.CHAIR)]
    return [m.user for m in (signing or members)]


def represented_parties(case: Case) -> set[Party]:
    return {Party(m.party) for m in current_members(case)}


def unrepresented_units(case: Case) -> list[str]:
    """Case units no current personnel member represents (sorted as the case lists them)."""
    covered: set[str] = set()
    for m in current_members(case):
        if m.party == Party.PERSONNEL:
            covered.update(m.units or ())
    return [name for name in case.unit_names if name not in covered]


def _validate(case: Case, user: User, party: str, role: str, union: Organisation | None,
              units: list[str]) -> None:
    if user is None or not user.active:
        raise ValidationFailed(_("Användaren finns inte eller är inte aktiv."), field="user")
    if party not in set(Party):
        raise ValidationFailed(_("Okänd part."), field="party")
    if role not in set(MemberRole):
        raise ValidationFailed(_("Okänd roll i styrnings- och uppföljningsgruppen."), field="role")
    roles = user.roles
    if roles & {Role.ADMIN, Role.AUDITOR} and not roles & (PERSONNEL_ROLES | EMPLOYER_ROLES):
        raise ValidationFailed(
            _("Administratörer och granskare kan inte vara med i styrnings- och uppföljningsgruppen."), field="user")
    if party == Party.PERSONNEL and not roles & PERSONNEL_ROLES:
        raise ValidationFailed(
            _("Endast fackliga företrädare och skyddsombud kan företräda personalen."), field="party")
    if party == Party.EMPLOYER and not roles & EMPLOYER_ROLES:
        raise ValidationFailed(
            _("Fackliga företrädare och skyddsombud företräder personalen, inte arbetsgivaren."),
            field="party")
    if role == MemberRole.SAFETY_REPRESENTATIVE and (
            party != Party.PERSONNEL or Role.SAFETY_REP not in roles):
        raise ValidationFailed(_("Rollen skyddsombud kräver att användaren är skyddsombud."), field="role")
    if union is not None:
        if party != Party.PERSONNEL:
            raise ValidationFailed(_("Endast personalens företrädare kan ange en facklig organisation."),
                                   field="union")
        if union.kind != OrganisationKind.UNION:
            raise ValidationFailed(_("Organisationen är inte en facklig organisation."), field="union")
    unknown = [u for u in units if u not in set(case.unit_names)]
    if unknown:
        raise ValidationFailed(_("Enheterna hör inte till ärendet: %(units)s", units=", ".join(unknown)),
                               field="units")
    if units and party != Party.PERSONNEL:
        raise ValidationFailed(_("Endast personalens företrädare representerar enheter."), field="units")


def add_member(actor: User | None, case: Case, user: User, *, party: Party | str, role: str = "member",
               union: Organisation | None = None, units: Iterable[str] = ()) -> SteeringMember:
    """Add `user` to the case's steering group. Raises PermissionDenied / ValidationFailed / Conflict."""
    _require_manager(actor, case)
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat."))
    if not group_takes_new_members(case):
        raise Conflict(_("Beslutet är fattat: styrnings- och uppföljningsgruppen tar inte emot nya ledamöter."))
    units = sorted({(u or "").strip() for u in units if (u or "").strip()})
    _validate(case, user, str(party), str(role), union, units)
    if union is None and str(party) == Party.PERSONNEL and user.organisation.kind == OrganisationKind.UNION:
        union = user.organisation
    if current_membership(case, user) is not None:
        raise Conflict(_("%(name)s är redan med i styrnings- och uppföljningsgruppen.", name=user.name))
    member = SteeringMember(case_id=case.id, user_id=user.id, user=user, party=str(Party(party)),
                            role=str(MemberRole(role)), union=union,
                            union_id=union.id if union else None, units=units, joined_at=utcnow())
    db.session.add(member)
    db.session.flush()
    record(actor, "steering.member_added", member, {
        "user_id": user.id, "user": user.name, "party": member.party, "role": member.role,
        "union": union.name if union else None, "units": units}, case_id=case.id)
    member_added.send(member, actor=actor, case=case)
    return member


def end_membership(actor: User | None, member: SteeringMember, reason: str = "") -> SteeringMember:
    """Close a membership (left_at set, history kept)."""
    case = db.session.get(Case, member.case_id)
    assert case is not None  # a membership's case is never deleted while the row exists
    _require_manager(actor, case)
    if member.left_at is not None:
        raise Conflict(_("Medlemskapet har redan avslutats."))
    member.left_at = utcnow()
    db.session.flush()
    record(actor, "steering.member_removed", member, {
        "user_id": member.user_id, "user": member.user.name, "party": member.party, "role": member.role,
        "reason": (reason or "").strip()}, case_id=member.case_id)
    return member
