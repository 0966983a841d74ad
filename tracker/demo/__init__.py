"""`flask demo`: fill an empty database with a believable municipality.

The demo depends on every feature and nothing depends on it (only the app factory registers its
command). Each step (`tracker/demo/<step>.py`, `load(context) -> None`) uses the real services,
so the demo database has a complete audit trail; the steps run in order, each in its own unit of
work.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.demo import audit, cases, documents, meetings, people, steering
from tracker.demo.context import DEMO_PASSWORD, USERS, DemoContext
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

__all__ = ["DEMO_PASSWORD", "USERS", "DemoContext", "database_is_empty", "init_app", "load_demo"]

# The audit step comes last: it writes the checkpoint that seals the demo chain.
STEPS = (people, cases, steering, meetings, documents, audit)


def database_is_empty() -> bool:
    """True when there is no user yet."""
    return db.session.execute(select(func.count(User.id))).scalar_one() == 0


def load_demo() -> DemoContext:
    """Create the demo organisations, users and whatever each feature adds; one commit per step."""
    context = DemoContext()
    for step in STEPS:
        with unit_of_work():
            step.load(context)
    return context


@click.command("demo", help="Fill an empty database with demo data and print the logins.")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database has users.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo into an empty database."""
    if not database_is_empty():
        if if_empty:
            click.echo("demo: database already has data; nothing loaded")
            return
        raise click.ClickException("the database is not empty; demo data goes only into an empty database")
    load_demo()
    click.echo(f"Demo data loaded. Logins (password: {DEMO_PASSWORD}):")
    for email, name, roles, org in USERS[:6]:
        click.echo(f"  {email:<24} {', '.join(roles):<16} {name} ({org})")


def init_app(app: Flask) -> None:
    """Register `flask demo`."""
    app.cli.add_command(demo_command)
