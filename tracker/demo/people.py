"""Demo step (the first one): the organisations, the employer's units and the people, through the
account and unit services."""
from __future__ import annotations

from tracker.auth import services as accounts
from tracker.demo.context import DEMO_PASSWORD, ORGANISATIONS, UNITS, USERS, DemoContext
from tracker.units import services as units


def load(context: DemoContext) -> None:
    for name, kind in ORGANISATIONS:
        context.organisations[name] = accounts.get_or_create_organisation(None, name, kind)
    for unit in UNITS:
        units.add_unit(None, unit)
    for email, name, roles, org_name in USERS:
        context.users[email] = accounts.create_user(
            None, email=email, name=name, organisation=context.organisations[org_name],
            roles=roles, password=DEMO_PASSWORD)
