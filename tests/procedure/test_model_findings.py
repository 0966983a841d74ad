"""Plain examples of what the agreement test (`test_model_agreement.py`) found, on the services."""
from datetime import date, timedelta

import pytest

from tests.procedure.clock import Clock
from tests.procedure.test_central_lock import T0, closing_case, decide, end_and_close
from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps


def test_an_override_of_the_open_window_does_not_pass_a_timely_request_made_after_it(factory, monkeypatch):
    """The decision maker overrides the open window (no request yet); the union then asks in time.
    The pending central negotiation still locks the decision: only its own override passes it."""
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)  # 2 March, disagreement: the window runs to 9 March
    clock.set(T0 + timedelta(days=1))
    ps.override_deadline(dm, case, dl.CENTRAL_WINDOW, "Budgeten måste beslutas denna vecka")
    clock.set(T0 + timedelta(days=2))
    assert ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=2)).timely
    pending = next(d for d in ps.deadlines_for(case) if d.code == dl.CENTRAL_PENDING)
    assert not pending.overridden
    with pytest.raises(GateClosed) as info:
        decide(clock, dm, case, date(2026, 3, 5))
    assert any("centrala förhandlingen är avslutad" in r for r in info.value.reasons)
    db.session.rollback()


def test_a_decision_reopened_after_an_override_waits_for_the_pending_central_negotiation(factory, monkeypatch):
    """Decided over the open window, then a timely request, then the decision stage reopened: the
    new decision is locked while the central negotiation is pending (the history the model found)."""
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    decide(clock, dm, case, date(2026, 3, 3), override_reason="Akut budgetläge kräver beslut nu")
    clock.set(T0 + timedelta(days=2))
    ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=2))
    ps.reopen_stage(hr, case, "decision", "Beslutet måste fattas om")
    codes = {code for code, _reason, _day in ps.decision_blockers(case, date(2026, 3, 20))}
    assert codes == {dl.CENTRAL_PENDING}
    with pytest.raises(GateClosed):
        decide(clock, dm, case, date(2026, 3, 20))
    db.session.rollback()


def test_a_decision_cannot_be_dated_before_the_negotiation_ended(factory, monkeypatch):
    """se-mbl, ended in agreement on 2 March (no window): a decision registered on 10 March but
    dated 1 March is refused with the end date; dated 2 March it is accepted."""
    clock = Clock(monkeypatch)
    hr, _union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case, mode="agreement")
    clock.set(T0 + timedelta(days=8))
    blockers = ps.decision_blockers(case, date(2026, 3, 1))
    assert [(code, day) for code, _reason, day in blockers] == [(dl.CLOSING_NOT_ENDED, date(2026, 3, 2))]
    with pytest.raises(GateClosed) as info:
        ps.register_decision(dm, case, body="Kommunstyrelsen", decided_on=date(2026, 3, 1), reference="§ 3")
    assert info.value.details["earliest"] == date(2026, 3, 2)
    ps.register_decision(dm, case, body="Kommunstyrelsen", decided_on=date(2026, 3, 2), reference="§ 3")
    assert case.status == "decided" and not case.non_compliance


def test_an_urgent_decision_may_be_dated_before_the_negotiation_ended(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, _union, dm, case = closing_case(factory, clock)
    ps.record_urgent_decision(hr, case, "Synnerliga skäl: verksamheten måste flytta nu")
    end_and_close(clock, hr, case, mode="agreement")
    clock.set(T0 + timedelta(days=8))
    assert ps.decision_blockers(case, date(2026, 3, 1)) == []


def test_an_override_given_in_round_1_does_not_pass_the_same_gate_in_round_2(factory, monkeypatch):
    """Issue 14 item 1, found with the switch `overrides_per_round` on: decided on 3 March over the
    open window (round 1, override), the decision stage reopened on 4 March (round 2). The window
    still runs to 9 March and the round-1 override no longer passes it; the new round needs its own."""
    clock = Clock(monkeypatch)
    hr, _union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)  # 2 March, disagreement: the window runs to 9 March
    decide(clock, dm, case, date(2026, 3, 3), override_reason="Akut budgetläge kräver beslut nu")
    clock.set(T0 + timedelta(days=2))
    ps.reopen_stage(hr, case, "decision", "Beslutet måste fattas om")
    blockers = [(code, day) for code, _reason, day in ps.decision_blockers(case, date(2026, 3, 4))]
    assert blockers == [(dl.CENTRAL_WINDOW, date(2026, 3, 10))]
    window = next(d for d in ps.deadlines_for(case) if d.code == dl.CENTRAL_WINDOW)
    assert not window.overridden
    # The lists' facts (many cases at once) count the round the same way.
    assert ps.facts_for_cases([case])[case.id] == ps.facts_for(case)
    assert dl.CENTRAL_WINDOW not in ps.facts_for_cases([case])[case.id].overridden
    with pytest.raises(GateClosed):
        decide(clock, dm, case, date(2026, 3, 5))
    ps.override_deadline(dm, case, dl.CENTRAL_WINDOW, "Akut budgetläge kräver beslut nu igen")
    assert ps.decision_blockers(case, date(2026, 3, 5)) == []
    assert {o.round for o in ps.overrides_of(case)} == {1, 2}
    assert dl.CENTRAL_WINDOW in ps.facts_for_cases([case])[case.id].overridden
