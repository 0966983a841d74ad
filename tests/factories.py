"""Test data built through the real services, so every row is audited like production data."""
from __future__ import annotations

import itertools

from tracker.auth import services as auth_services
from tracker.auth.models import Organisation, OrganisationKind, User
from tracker.extensions import db

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


class Factory:
    password = PASSWORD

    def organisation(self, name: str = "Exempelstad", kind: str = OrganisationKind.EMPLOYER) -> Organisation:
        org = auth_services.get_or_create_organisation(None, name, kind)
        db.session.flush()
        return org

    def user(self, role: str | list[str] = "hr_officer", *, email: str | None = None, name: str | None = None,
             org: Organisation | None = None, password: str = PASSWORD) -> User:
        roles = [role] if isinstance(role, str) else list(role)
        n = next(_counter)
        if org is None:
            is_union = roles[0] in ("union_rep", "safety_rep")
            org = self.organisation("Kommunal" if is_union else "Exempelstad",
                                    OrganisationKind.UNION if is_union else OrganisationKind.EMPLOYER)
        user = auth_services.create_user(
            None, email=email or f"{roles[0]}{n}@example.org", name=name or f"{roles[0].title()} {n}",
            organisation=org, roles=roles, password=password)
        db.session.flush()
        return user

    def units(self, *names: str) -> list[str]:
        """The employer's unit register holds `names` (added by the system, audited)."""
        from tracker.units.services import add_unit

        for name in names:
            add_unit(None, name)
        db.session.flush()
        return list(names)

    def member(self, case, user, party, role: str = "member", units=(), union=None):
        """A steering-group member added by the case's HR officer (through the real service)."""
        from tracker.steering import services as steering_services

        member = steering_services.add_member(case.responsible_hr, case, user, party=party, role=role,
                                              union=union, units=units)
        db.session.flush()
        return member

    # --- cases (PROCEDURE) -------------------------------------------------------------
    def case(self, hr=None, profile: str = "se-mbl", **fields):
        """A registered case (through open_case); `hr` defaults to a new HR officer."""
        from tracker.cases.services import open_case

        if hr is None:
            hr = self.user("hr_officer")
        fields.setdefault("title", f"Omorganisation {next(_counter)}")
        case = open_case(hr, profile_code=profile, **fields)
        db.session.flush()
        return case
