"""Table-driven tests of the pure deadline engine, both profiles, incl. S1's dates."""
from datetime import date

import pytest

from tracker.procedure import deadlines as dl
from tracker.procedure.profiles import get_profile


def facts(profile, **kw):
    return dl.Facts(settings=get_profile(profile).settings, **kw)


def by_code(items):
    return {d.code: d for d in items}


@pytest.mark.parametrize("profile,kw,expected", [
    # S1: proposal 2 March -> first meeting from 7 March; first meeting 7 March -> met 20 March, decision 21 March
    ("fi-municipal", dict(may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2)),
     {"earliest_first_meeting": date(2026, 3, 7)}),
    ("fi-municipal", dict(may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
                          first_meeting_on=date(2026, 3, 7)),
     {"earliest_first_meeting": date(2026, 3, 7), "min_negotiation_period": date(2026, 3, 20),
      "earliest_decision": date(2026, 3, 21)}),
    # across a month end
    ("fi-municipal", dict(may_reduce_staff=True, proposal_delivered_on=date(2026, 1, 29),
                          first_meeting_on=date(2026, 2, 20)),
     {"earliest_first_meeting": date(2026, 2, 3), "min_negotiation_period": date(2026, 3, 5),
      "earliest_decision": date(2026, 3, 6)}),
    # no reductions: no proposal rule, no minimum period
    ("fi-municipal", dict(may_reduce_staff=False, first_meeting_on=date(2026, 3, 7)), {}),
    # se-mbl: no lead time, no minimum period
    ("se-mbl", dict(may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
                    first_meeting_on=date(2026, 3, 3)), {}),
    # se-mbl central window: disagreement ended 10 March -> request by 17 March
    ("se-mbl", dict(negotiation_ended_on=date(2026, 3, 10), end_mode="disagreement"),
     {"central_negotiation_window": date(2026, 3, 17)}),
    ("se-mbl", dict(negotiation_ended_on=date(2026, 3, 10), end_mode="agreement"), {}),
    # evaluation due = decision + 6 months (clamped at month end)
    ("se-mbl", dict(decision_on=date(2026, 3, 21)), {"evaluation_due": date(2026, 9, 21)}),
    ("fi-municipal", dict(decision_on=date(2026, 8, 31)), {"evaluation_due": date(2027, 2, 28)}),
])
def test_deadline_dates(profile, kw, expected):
    got = {d.code: d.due for d in dl.compute(facts(profile, **kw), date(2026, 3, 1))}
    assert got == expected | {k: v for k, v in got.items() if k not in expected and v is None}


def test_every_deadline_has_a_basis():
    f = facts("fi-municipal", may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
              first_meeting_on=date(2026, 3, 7), decision_on=date(2026, 3, 21))
    for d in dl.compute(f, date(2026, 3, 21)):
        assert d.basis and d.label


def test_min_period_met_on_day_14_and_not_before():
    f = facts("fi-municipal", may_reduce_staff=True, first_meeting_on=date(2026, 3, 7))
    assert not by_code(dl.compute(f, date(2026, 3, 19)))["min_negotiation_period"].met
    assert by_code(dl.compute(f, date(2026, 3, 20)))["min_negotiation_period"].met


def test_first_meeting_before_lead_is_not_met():
    f = facts("fi-municipal", may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
              first_meeting_on=date(2026, 3, 5))
    assert by_code(dl.compute(f, date(2026, 3, 6)))["earliest_first_meeting"].met is False


def test_large_staff_extended_period_is_a_setting():
    settings = dict(get_profile("fi-municipal").settings, large_staff_extended_period_enabled=True)
    f = dl.Facts(settings=settings, may_reduce_staff=True, staff_affected=12, first_meeting_on=date(2026, 3, 7))
    assert dl.earliest_decision(f) == date(2026, 4, 18)  # 42 days
    small = dl.Facts(settings=settings, may_reduce_staff=True, staff_affected=9, first_meeting_on=date(2026, 3, 7))
    assert dl.earliest_decision(small) == date(2026, 3, 21)


@pytest.mark.parametrize("requested,timely", [(date(2026, 3, 17), True), (date(2026, 3, 18), False)])
def test_central_request_timeliness_and_lock(requested, timely):
    base = dict(negotiation_ended_on=date(2026, 3, 10), end_mode="disagreement")
    assert dl.is_request_timely(facts("se-mbl", **base), requested) is timely
    f = facts("se-mbl", **base, central_requests=(dl.CentralRequestFact(requested, timely, True),))
    assert dl.central_negotiation_pending(f) is timely
    codes = by_code(dl.compute(f, requested))
    assert ("central_negotiation_pending" in codes) is timely


@pytest.mark.parametrize("today,overdue", [(date(2026, 9, 21), False), (date(2026, 9, 22), True)])
def test_evaluation_overdue_the_day_after(today, overdue):
    f = facts("se-mbl", decision_on=date(2026, 3, 21))
    assert by_code(dl.compute(f, today))["evaluation_due"].overdue is overdue
    approved = facts("se-mbl", decision_on=date(2026, 3, 21), evaluation_approved_on=date(2026, 9, 1))
    assert by_code(dl.compute(approved, date(2027, 1, 1)))["evaluation_due"].overdue is False
