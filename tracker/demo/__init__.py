"""`flask demo`: fill an empty database with a believable municipality.

The demo depends on every feature and nothing depends on it. Each step (`tracker/demo/<step>.py`,
`load(context) -> None`) uses the real services, so the demo database has a complete audit trail;
the steps run in order, each its own unit of work.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.auth import services as auth_services
from tracker.auth.models import OrganisationKind, User
from tracker.extensions import db

DEMO_PASSWORD = "samverkan-demo"

ORGANISATIONS = [
    ("Exempelstads kommun", OrganisationKind.EMPLOYER),
    ("Kommunal", OrganisationKind.UNION),
    ("Vision", OrganisationKind.UNION),
    ("Akademikerförbunden", OrganisationKind.UNION),
    ("JHL", OrganisationKind.UNION),
    ("JUKO", OrganisationKind.UNION),
]

# (email, name, roles, organisation)
USERS = [
    ("hr@example.org", "Helena Rask", ["hr_officer"], "Exempelstads kommun"),
    ("decision@example.org", "Daniel Ek", ["decision_maker"], "Exempelstads kommun"),
    ("union@example.org", "Ulla Nieminen", ["union_rep"], "Kommunal"),
    ("safety@example.org", "Sami Järvinen", ["safety_rep"], "Vision"),
    ("auditor@example.org", "Astrid Öberg", ["auditor"], "Exempelstads kommun"),
    ("admin@example.org", "Adam Lind", ["admin"], "Exempelstads kommun"),
    # Extra people so steering groups have both parties and several signatories.
    ("hr2@example.org", "Henrik Åberg", ["hr_officer"], "Exempelstads kommun"),
    ("union2@example.org", "Veera Mäkelä", ["union_rep"], "JHL"),
    ("union3@example.org", "Björn Vikström", ["union_rep"], "Vision"),
]



@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)

    def user(self, email: str) -> User:
        return self.users[email]


def database_is_empty() -> bool:
    return db.session.execute(select(func.count(User.id))).scalar_one() == 0


def load_demo() -> DemoContext:
    """Create the demo organisations, users and whatever each feature adds."""
    context = DemoContext()
    for name, kind in ORGANISATIONS:
        context.organisations[name] = auth_services.get_or_create_organisation(None, name, kind)
    for email, name, roles, org_name in USERS:
        context.users[email] = auth_services.create_user(
            None, email=email, name=name, organisation=context.organisations[org_name],
            roles=roles, password=DEMO_PASSWORD)
    db.session.commit()
    from tracker.demo import audit, cases, documents, meetings, steering

    # The audit step comes last: it writes the checkpoint that seals the demo chain.
    for step in (cases, steering, meetings, documents, audit):
        step.load(context)
        db.session.commit()
    return context


@click.command("demo", help="Fill an empty database with demo data and print the logins.")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database has users.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    if not database_is_empty():
        if if_empty:
            click.echo("demo: database already has data; nothing loaded")
            return
        raise click.ClickException("the database is not empty; demo data goes only into an empty database")
    load_demo()
    click.echo("Demo data loaded. Logins (password: %s):" % DEMO_PASSWORD)
    for email, name, roles, org in USERS[:6]:
        click.echo(f"  {email:<24} {', '.join(roles):<16} {name} ({org})")


def init_app(app: Flask) -> None:
    """Register `flask demo`."""
    app.cli.add_command(demo_command)
