"""`flask cases ...`: read-only views of cases and deadlines for operators and cron jobs."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.cases.models import Case, CaseStatus
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps

cases_cli = AppGroup("cases", help="Cases and their procedure deadlines.")


@cases_cli.command("deadlines", help="List every open case's deadlines (--overdue: only overdue ones).")
@click.option("--overdue", is_flag=True, help="Only deadlines that are overdue.")
def deadlines_command(overdue: bool) -> None:
    cases = list(db.session.execute(select(Case).where(Case.status != CaseStatus.ARCHIVED)
                                    .order_by(Case.diary_number)).scalars().unique())
    facts = ps.facts_for_cases(cases)
    today = ps.today()
    found = 0
    for case in cases:
        for d in dl.compute(facts[case.id], today):
            if overdue and not d.overdue:
                continue
            found += 1
            state = "OVERDUE" if d.overdue else ("met" if d.met else ("-" if d.met is None else "NOT MET"))
            click.echo(f"{case.diary_number}\t{d.code}\t{d.due.isoformat() if d.due else '-'}\t{state}")
    if not found:
        click.echo("no deadlines" + (" overdue" if overdue else ""))


commands = [cases_cli]
