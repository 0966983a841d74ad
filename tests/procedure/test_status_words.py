"""Item 8 of issue 14: each deadline's status word, computed against the organisation-local date:
upcoming, due today, met, missed, locked, lifted (and "cannot be computed yet" only without a date)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.procedure.clock import Clock
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.enums import DeadlineStatus as S
from tracker.procedure.profiles import get_profile

FI = get_profile("fi-municipal").settings
SE = get_profile("se-mbl").settings


def statuses(facts, today):
    return {d.code: d.status for d in dl.compute(facts, today)}


def fi(**kw):
    return dl.Facts(settings=FI, may_reduce_staff=True, staff_affected=8, **kw)


@pytest.mark.parametrize("today,first,decided,expected", [
    # proposal 2 March: first meeting allowed from 7 March; period 7..20 March; decision from 21 March
    (date(2026, 3, 5), None, None, {"earliest_first_meeting": S.UPCOMING, "earliest_decision": S.AWAITING,
                                    "min_negotiation_period": S.AWAITING}),
    (date(2026, 3, 7), None, None, {"earliest_first_meeting": S.DUE_TODAY}),
    (date(2026, 3, 9), None, None, {"earliest_first_meeting": S.MET}),
    (date(2026, 3, 9), date(2026, 3, 7), None, {"earliest_first_meeting": S.MET,
                                                "min_negotiation_period": S.UPCOMING,
                                                "earliest_decision": S.UPCOMING}),
    (date(2026, 3, 21), date(2026, 3, 7), None, {"min_negotiation_period": S.MET,
                                                 "earliest_decision": S.DUE_TODAY}),
    (date(2026, 4, 2), date(2026, 3, 7), None, {"earliest_decision": S.MET}),
    (date(2026, 4, 2), date(2026, 3, 6), None, {"earliest_first_meeting": S.MISSED}),
    (date(2026, 4, 2), date(2026, 3, 7), date(2026, 3, 19), {"earliest_decision": S.MISSED}),
    (date(2026, 4, 2), date(2026, 3, 7), date(2026, 3, 21), {"earliest_decision": S.MET,
                                                             "evaluation_due": S.UPCOMING}),
    (date(2026, 9, 22), date(2026, 3, 7), date(2026, 3, 21), {"evaluation_due": S.MISSED}),
], ids=lambda v: str(v) if isinstance(v, date) else None)
def test_fi_status_by_date(today, first, decided, expected):
    facts = fi(proposal_delivered_on=date(2026, 3, 2), first_meeting_on=first, decision_on=decided)
    got = statuses(facts, today)
    for code, status in expected.items():
        assert got[code] == status, code


def test_an_override_lifts_the_deadline():
    facts = fi(proposal_delivered_on=date(2026, 3, 2), first_meeting_on=date(2026, 3, 7),
               decision_on=date(2026, 3, 10), overridden=frozenset({"earliest_decision"}))
    assert statuses(facts, date(2026, 3, 11))["earliest_decision"] == S.LIFTED


def se(**kw):
    return dl.Facts(settings=SE, negotiation_ended_on=date(2026, 3, 10), end_mode="disagreement", **kw)


@pytest.mark.parametrize("today,requests,overridden,expected", [
    (date(2026, 3, 12), (), (), {"central_negotiation_window": S.LOCKED}),
    (date(2026, 3, 17), (), (), {"central_negotiation_window": S.LOCKED}),
    (date(2026, 3, 18), (), (), {"central_negotiation_window": S.LIFTED}),
    (date(2026, 3, 12), (), ("central_negotiation_window",), {"central_negotiation_window": S.LIFTED}),
    (date(2026, 3, 13), (dl.CentralRequestFact(date(2026, 3, 12), True, True),), (),
     {"central_negotiation_window": S.MET, "central_negotiation_pending": S.LOCKED}),
    (date(2026, 3, 13), (dl.CentralRequestFact(date(2026, 3, 12), True, True),), ("central_negotiation_pending",),
     {"central_negotiation_pending": S.LIFTED}),
    (date(2026, 3, 20), (dl.CentralRequestFact(date(2026, 3, 19), False, False),), (),
     {"central_negotiation_window": S.MISSED}),
])
def test_se_window_and_lock(today, requests, overridden, expected):
    got = statuses(se(central_requests=requests, overridden=frozenset(overridden)), today)
    assert {code: got.get(code) for code in expected} == expected


def test_every_status_has_words():
    from tracker.procedure.labels import DEADLINE_STATUS_LABELS

    assert set(DEADLINE_STATUS_LABELS) == set(S)
    words = [str(w) for w in DEADLINE_STATUS_LABELS.values()]
    assert len(set(words)) == len(words) and all(words)


def test_the_page_and_dashboard_use_the_organisation_local_date(factory, web, monkeypatch, app):
    """23:30 UTC on 6 March is 01:30 on 7 March in Helsinki: the first meeting is possible *today*."""
    monkeypatch.setitem(app.config, "ORG_TIMEZONE", "Europe/Helsinki")
    clock = Clock(monkeypatch)
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="fi-municipal", staff_affected=8, may_reduce_staff=True, change_kind="cuts")
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    ps.update_stage(hr, case, "early_information", proposal_delivered_at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    clock.set(datetime(2026, 3, 6, 23, 30, tzinfo=UTC))
    assert ps.today() == date(2026, 3, 7)
    got = {d.code: d for d in ps.deadlines_for(case)}
    assert got["earliest_first_meeting"].status == S.DUE_TODAY
    web.login(hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    row = html.split('class="deadline-earliest_first_meeting')[1].split("</tr>")[0]
    assert "I dag" in row
    home = web.client.get("/home").get_data(as_text=True)
    assert "I dag" in home.split("Mina ärenden")[-1]
    clock.set(datetime(2026, 3, 6, 21, 30, tzinfo=UTC) + timedelta(hours=0))  # 23:30 local, still 6 March
    assert {d.code: d for d in ps.deadlines_for(case)}["earliest_first_meeting"].status == S.UPCOMING
