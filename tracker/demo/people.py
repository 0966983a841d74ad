"""Demo step (the first one): the organisations and the people, through the account services."""
from __future__ import annotations

from tracker.auth import services as accounts
from tracker.demo.context import DEMO_PASSWORD, ORGANISATIONS, USERS, DemoContext


def load(context: DemoContext) -> None:
    for name, kind in ORGANISATIONS:
        context.organisations[name] = accounts.get_or_create_organisation(None, name, kind)
    for email, name, roles, org_name in USERS:
        context.users[email] = accounts.create_user(
            None, email=email, name=name, organisation=context.organisations[org_name],
            roles=roles, password=DEMO_PASSWORD)
