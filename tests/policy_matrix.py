"""One case with every role and relation the policy matrices ask about (tests/<feature>/test_policy.py)."""
from __future__ import annotations

from dataclasses import dataclass

from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.extensions import db
from tracker.steering.models import MemberRole, Party

RELATIONS = ("hr_responsible", "hr_member", "union_member", "safety_member", "decision_maker", "auditor",
             "admin", "outsider")


@dataclass
class World:
    case: Case
    users: dict[str, User]

    def archive(self) -> None:
        """The same case, archived: every action predicate answers no."""
        self.case.status = CaseStatus.ARCHIVED
        db.session.flush()


def build(factory) -> World:
    """The responsible HR officer; employer members: an HR officer (signatory) and a decision maker
    (secretary); personnel members: a union rep (signatory) and a safety rep (safety representative);
    an auditor, an admin and an outsider (a union rep outside the group)."""
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    users = {
        "hr_responsible": hr,
        "hr_member": factory.user("hr_officer"),
        "union_member": factory.user("union_rep"),
        "safety_member": factory.user("safety_rep"),
        "decision_maker": factory.user("decision_maker"),
        "auditor": factory.user("auditor"),
        "admin": factory.user("admin"),
        "outsider": factory.user("union_rep"),
    }
    factory.member(case, users["hr_member"], Party.EMPLOYER, role=MemberRole.SIGNATORY)
    factory.member(case, users["decision_maker"], Party.EMPLOYER, role=MemberRole.SECRETARY)
    factory.member(case, users["union_member"], Party.PERSONNEL, role=MemberRole.SIGNATORY)
    factory.member(case, users["safety_member"], Party.PERSONNEL, role=MemberRole.SAFETY_REPRESENTATIVE)
    return World(case, users)


def answers(world: World, predicate) -> dict[str, bool]:
    """predicate(user) for every relation."""
    return {name: bool(predicate(world.users[name])) for name in RELATIONS}


def expected(*allowed: str) -> dict[str, bool]:
    """True for the named relations, False for every other."""
    unknown = set(allowed) - set(RELATIONS)
    assert not unknown, unknown
    return {name: name in allowed for name in RELATIONS}
