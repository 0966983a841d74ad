"""The demo municipality's cases: both profiles, several stages, an overdue and an archived case (the demo
loaded once per database through every feature's services, tests/demo_support.py)."""
from tests.demo_support import demo_context
from tracker.cases.models import Case, CaseStatus
from tracker.extensions import db
from tracker.procedure import services as ps


def test_demo_cases(app):
    context = demo_context(app)
    cases = db.session.query(Case).all()
    assert len(cases) >= 5
    assert {c.profile_code for c in cases} == {"fi-municipal", "se-mbl"}
    assert len({c.current_stage for c in cases}) >= 4
    assert any(c.non_compliance for c in cases)
    assert any(c.status == CaseStatus.ARCHIVED for c in cases)
    overdue = [c for c in cases if any(d.overdue for d in ps.deadlines_for(c))]
    assert overdue and context.cases["stad"] in overdue


def test_cli_lists_overdue_deadlines(app, runner):
    context = demo_context(app)
    result = runner.invoke(args=["cases", "deadlines", "--overdue"])
    assert result.exit_code == 0
    assert context.cases["stad"].diary_number in result.output and "evaluation_due" in result.output
