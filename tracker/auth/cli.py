"""`flask users ...`: user administration from a shell, over the same services as the admin pages."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.auth import services
from tracker.auth.models import OrganisationKind
from tracker.errors import DomainError
from tracker.unit_of_work import unit_of_work


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    """The `flask users` group."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--org", "org_name", required=True, help="Organisation name (created if missing).")
@click.option("--org-kind", type=click.Choice([k.value for k in OrganisationKind]), default="employer")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(email: str, name: str, roles: tuple[str, ...], org_name: str, org_kind: str, password_stdin: bool) -> None:
    """Create a user."""
    if not password_stdin:
        raise click.UsageError("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with unit_of_work():
            org = services.get_or_create_organisation(None, org_name, org_kind)
            user = services.create_user(None, email=email, name=name, organisation=org, roles=list(roles),
                                        password=password)
            summary = f"created {user.email} ({', '.join(sorted(str(r) for r in user.roles))}) in {org.name}"
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(summary)


@users_cli.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def deactivate(email: str) -> None:
    """Deactivate a user and end all their sessions."""
    with unit_of_work():
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email}")
        services.set_active(None, user, False)
        address = user.email
    click.echo(f"deactivated {address}")


commands = [users_cli]
