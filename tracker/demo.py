"""`flask demo`: fill an empty database with a believable municipality.

Features add their demo data through `DEMO_STEPS`: modules with `load(context) -> None`, run
in order; each uses the real services, so the demo database has a complete audit trail.
"""
from __future__ import annotations

import importlib
import importlib.util

from tracker.modules import module_exists
from dataclasses import dataclass, field

import click
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

DEMO_STEPS = (
    "tracker.cases.demo",
    "tracker.steering.demo",
    "tracker.meetings.demo",
    "tracker.documents.demo",
    "tracker.audit.demo",  # last: writes the checkpoint that seals the demo chain
)


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
    for module_name in DEMO_STEPS:
        if module_exists(module_name):
            importlib.import_module(module_name).load(context)
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


commands = [demo_command]
