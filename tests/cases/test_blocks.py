"""Item 7 of issue 14: the dashboard and the case list show every block or lock with its reason
and who can lift it; the next action per case is the earliest of dated deadlines and undated blocks
(a pending central negotiation used to show as "–")."""
from __future__ import annotations

from datetime import date, timedelta

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.cases import queries
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.blocks import blocks, next_action
from tracker.procedure.profiles import get_profile
from tracker.procedure.urgent import urgent_task

TODAY = date(2027, 3, 10)


def _facts(**kw) -> dl.Facts:
    return dl.Facts(settings=get_profile("se-mbl").settings, **kw)


def test_an_open_window_is_a_dated_block_a_pending_request_an_undated_one(app):
    with app.test_request_context():
        open_window = blocks(_facts(end_mode="disagreement", negotiation_ended_on=TODAY - timedelta(days=2)), TODAY)
        pending = blocks(_facts(end_mode="disagreement", negotiation_ended_on=TODAY - timedelta(days=2),
                                central_requests=(dl.CentralRequestFact(TODAY, True, True),)), TODAY)
        agreed = blocks(_facts(end_mode="agreement", negotiation_ended_on=TODAY - timedelta(days=2)), TODAY)
    assert [(b.code, b.due) for b in open_window] == [("central_negotiation_window", TODAY + timedelta(days=6))]
    assert [(b.code, b.due) for b in pending] == [("central_negotiation_pending", None)]
    assert "HR-handläggare" in pending[0].lifted_by and pending[0].reason
    assert agreed == []


def test_the_next_action_is_the_earliest_of_dated_deadlines_and_undated_blocks(app):
    with app.test_request_context():
        facts = _facts(end_mode="disagreement", negotiation_ended_on=TODAY - timedelta(days=2),
                       central_requests=(dl.CentralRequestFact(TODAY, True, True),))
        lock = blocks(facts, TODAY)
        later = dl.Deadline(dl.EVALUATION_DUE, "Utvärdering senast", TODAY + timedelta(days=3), "grund")
        overdue = dl.Deadline(dl.EVALUATION_DUE, "Utvärdering senast", TODAY - timedelta(days=3), "grund",
                              overdue=True)
        task = urgent_task(TODAY - timedelta(days=1), {"urgent_negotiation_days": 14}, closing_completed=False,
                           today=TODAY)
        urgent = blocks(_facts(), TODAY, task)
    first = next_action([later], lock, TODAY)
    assert first is not None and first.block is lock[0] and first.due is None  # undated = now
    assert next_action([overdue], lock, TODAY).deadline is overdue  # an earlier date still comes first
    assert next_action([later], urgent, TODAY).deadline is later  # the task is due in 13 days
    assert next_action([], [], TODAY) is None


def _locked_case(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password, end_mode="disagreement")
    ps.request_central_negotiation(union, case, note="Vi begär central förhandling")
    db.session.commit()
    return case, union


def test_a_pending_central_negotiation_is_the_next_action_in_the_list_and_on_the_dashboard(factory, web):
    case, union = _locked_case(factory)
    (row,) = queries.case_rows([case])
    assert row.next is not None and row.next.state == "locked" and row.next.due is None
    assert row.next.label == "Central förhandling pågår: beslutet är låst" and "HR-handläggare" in row.next.lifted_by
    dash = queries.dashboard(case.responsible_hr)
    assert [(b.case_id, b.due) for b in dash.blocks] == [(case.id, None)]
    for user in (case.responsible_hr, union):
        web.login(user.email, factory.password)
        listing = web.client.get("/cases").get_data(as_text=True)
        assert "Central förhandling pågår: beslutet är låst" in listing and "Kan hävas av:" in listing
        assert "Låst" in listing
        home = web.client.get("/home").get_data(as_text=True)
        section = home[home.index('id="dash-blocks"'):home.index('id="dash-overdue"')]
        assert case.diary_number in section and "Personalen har begärt central förhandling i rätt tid." in section
        web.client.post("/logout", data={"csrf_token": web.token("/home")})


def test_the_lock_lifts_from_the_lists_when_the_central_negotiation_ends(factory):
    case, _union = _locked_case(factory)
    request = ps.central_requests_of(case)[0]
    ps.end_central_negotiation(case.responsible_hr, case, request.id, outcome="Ingen ändring")
    db.session.commit()
    (row,) = queries.case_rows([case])
    assert row.next is None or row.next.state != "locked"
    assert queries.dashboard(case.responsible_hr).blocks == ()


def test_archived_cases_show_no_blocks(factory):
    case, _union = _locked_case(factory)
    rows = queries._rows([case], ps.today())
    assert rows[0][2]  # blocked while open
    case.status = "archived"
    db.session.flush()
    assert queries._rows([case], ps.today())[0][2] == []
