"""Item 1 of issue 14: after a reopening every deadline is computed from the current round's
records (proposal delivery, first meeting of the round, end of negotiations)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.procedure.clock import Clock
from tests.procedure.helpers import negotiation_needed, record_no_meeting, risk_cosigned, staff
from tracker.errors import DeadlineNotReached, GateClosed
from tracker.extensions import db
from tracker.meetings.services import schedule_meeting
from tracker.procedure import services as ps
from tracker.steering.models import Party

TZ = ZoneInfo("Europe/Helsinki")


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=TZ)


def meet(hr, case, when):
    schedule_meeting(hr, case, title="Neuvottelu", starts_at=when, ends_at=when.replace(hour=when.hour + 1),
                     place="Kaupungintalo", stages=["grounds"])
    db.session.flush()


STAGES = ("early_information", "grounds", "effects", "alternatives", "closing")


def walk_round(clock, hr, case, *, ended, end_mode="disagreement", proposal=None, stages=STAGES):
    """Complete every open stage of `stages` (up to closing), the negotiation ending at `ended`."""
    clock.set(ended)
    for code in stages:
        rec = ps.current_records(case)[code]
        if rec.status == "completed":
            continue
        if code == "early_information":
            ps.update_stage(hr, case, code, information_given="Tiedote", information_given_on=date(2026, 2, 27),
                            proposal_delivered_at=proposal if proposal else "keep")
        elif code == "grounds":
            ps.update_stage(hr, case, code, reasons="Talous")
        elif code == "effects":
            ps.update_stage(hr, case, code, effects_staff="Lomautukset")
        elif code == "alternatives":
            ps.update_stage(hr, case, code, alternatives_considered="Osa-aikaistaminen")
        else:
            if negotiation_needed(case):
                record_no_meeting(case, hr)
            ps.end_negotiation(hr, case, end_mode=end_mode, ended_at=ended, employer_position="A",
                               personnel_position="B")
        ps.complete_stage(hr, case, code)
        db.session.flush()


def fi_case(factory, clock):
    """Round 1 as in S1: proposal 2 March, first meeting 7 March, ended 20 March."""
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="fi-municipal", staff_affected=8, may_reduce_staff=True, change_kind="cuts")
    _union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    clock.set(at(3, 2, 12))
    ps.update_stage(hr, case, "early_information", information_given="Tiedote", information_given_on=date(2026, 2, 27),
                    proposal_delivered_at=at(3, 2, 9))
    ps.complete_stage(hr, case, "early_information")
    meet(hr, case, at(3, 7))
    risk_cosigned(case, hr, safety, factory.password)
    walk_round(clock, hr, case, ended=at(3, 20, 11))
    return hr, dm, case


def deadlines(case):
    return {d.code: d for d in ps.deadlines_for(case)}


def decide(dm, case, day, clock):
    clock.set(datetime(day.year, day.month, day.day, 15, tzinfo=TZ))
    return ps.register_decision(dm, case, body="Kunnanhallitus", decided_on=day, reference="§ 1")


# Each reopening: (stage reopened, reopened at, new proposal delivery or None, new first meeting,
# end of the new round's negotiations). The expected dates are the new round's.
ONE = [("early_information", at(6, 1), at(6, 2, 9), at(6, 8), at(6, 21, 12))]
TWO = [("grounds", at(6, 1), None, at(6, 8), at(6, 21, 12)),
       ("alternatives", at(9, 1), None, at(9, 3), at(9, 16, 12))]


@pytest.mark.parametrize("reopenings,expected", [
    (ONE, {"earliest_first_meeting": date(2026, 6, 7), "min_negotiation_period": date(2026, 6, 21),
           "earliest_decision": date(2026, 6, 22)}),
    ([("grounds", at(6, 1), None, at(6, 8), at(6, 21, 12))],
     {"earliest_first_meeting": date(2026, 3, 7), "min_negotiation_period": date(2026, 6, 21),
      "earliest_decision": date(2026, 6, 22)}),
    ([("effects", at(6, 1), None, at(6, 8), at(6, 21, 12))],
     {"min_negotiation_period": date(2026, 6, 21), "earliest_decision": date(2026, 6, 22)}),
    ([("closing", at(6, 1), None, at(6, 8), at(6, 21, 12))],
     {"min_negotiation_period": date(2026, 6, 21), "earliest_decision": date(2026, 6, 22)}),
    (TWO, {"min_negotiation_period": date(2026, 9, 16), "earliest_decision": date(2026, 9, 17)}),
    (ONE + [("closing", at(9, 1), None, at(9, 3), at(9, 16, 12))],
     {"earliest_first_meeting": date(2026, 6, 7), "min_negotiation_period": date(2026, 9, 16),
      "earliest_decision": date(2026, 9, 17)}),
], ids=["early_information", "grounds", "effects", "closing", "grounds+alternatives", "early_information+closing"])
def test_fi_deadlines_follow_the_current_round(factory, monkeypatch, reopenings, expected):
    clock = Clock(monkeypatch)
    hr, dm, case = fi_case(factory, clock)
    for stage, when, proposal, first, ended in reopenings:
        clock.set(when)
        ps.reopen_stage(hr, case, stage, "Suunnitelma muuttui olennaisesti")
        if proposal is not None:
            clock.set(proposal)
            ps.update_stage(hr, case, "early_information", proposal_delivered_at=proposal)
        if stage == "early_information":
            walk_round(clock, hr, case, ended=proposal, stages=STAGES[:1])  # early information only: the rest waits for meetings
        db.session.flush()
        # Before the round's first meeting the period cannot be counted, whatever round 1 held.
        assert deadlines(case)["earliest_decision"].due is None
        meet(hr, case, first)
        walk_round(clock, hr, case, ended=ended)
    got = deadlines(case)
    for code, due in expected.items():
        assert got[code].due == due, code
    # The lists, the dashboard and the to-do list read the facts of many cases at once: the same.
    assert ps.facts_for_cases([case, case])[case.id] == ps.facts_for(case)
    assert got.get("earliest_first_meeting") is None or got["earliest_first_meeting"].met is True
    last = expected["earliest_decision"]
    with pytest.raises((DeadlineNotReached, GateClosed)) as info:
        decide(dm, case, date.fromordinal(last.toordinal() - 1), clock)
    assert info.value.earliest == last
    db.session.rollback()


def test_fi_closing_refused_before_the_new_rounds_period_is_met(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "grounds", "Suunnitelma muuttui olennaisesti")
    meet(hr, case, at(6, 8))
    with pytest.raises(GateClosed) as info:
        walk_round(clock, hr, case, ended=at(6, 20, 12))
    assert any("21 juni 2026" in r for r in info.value.reasons)


def test_fi_decision_accepted_once_the_new_period_is_met_and_reopening_the_decision_keeps_it(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, dm, case = fi_case(factory, clock)
    decide(dm, case, date(2026, 3, 21), clock)
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "decision", "Päätös tehdään uudelleen")
    # A reopened decision does not restart the negotiation: round 1's dates still hold.
    assert deadlines(case)["earliest_decision"].due == date(2026, 3, 21)
    decide(dm, case, date(2026, 6, 2), clock)
    assert case.status == "decided"


@pytest.mark.parametrize("reopen_at", [["closing"], ["grounds", "closing"]])
def test_se_mbl_central_window_follows_the_current_closing_round(factory, monkeypatch, reopen_at):
    clock = Clock(monkeypatch)
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl")
    _union, safety = staff(factory, case)
    clock.set(at(3, 2, 12))
    risk_cosigned(case, hr, safety, factory.password)
    walk_round(clock, hr, case, ended=at(3, 10, 12))
    assert deadlines(case)["central_negotiation_window"].due == date(2026, 3, 17)
    month = 6
    for stage in reopen_at:
        clock.set(at(month, 1))
        ps.reopen_stage(hr, case, stage, "Planen ändrades väsentligt")
        assert "central_negotiation_window" not in deadlines(case)
        walk_round(clock, hr, case, ended=at(month, 15, 12))
        assert deadlines(case)["central_negotiation_window"].due == date(2026, month, 22)
        month += 2
