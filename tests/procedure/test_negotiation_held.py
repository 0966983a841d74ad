"""Item 4 of issue 14: in se-mbl a negotiation is closed only after it happened — a held meeting of
the round covering the negotiated stages, with minutes approved by both parties — or with the
reason none was held recorded. The profile setting `minutes_approved_by_both` decides the minutes."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.procedure.helpers import (
    complete_early_information,
    hold_negotiation,
    record_no_meeting,
    staff,
    walk_to,
)
from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.meetings import services as ms
from tracker.procedure import gates
from tracker.procedure import services as ps
from tracker.procedure.profiles import get_profile
from tracker.procedure.queries import gate_facts, reasons_closed

NO_MEETING = "Inget förhandlingsmöte är hållet i den här omgången."
NO_MINUTES = "Inget protokoll från ett hållet förhandlingsmöte är justerat av båda parter."


def closing_case(factory, profile="se-mbl"):
    case = factory.case(profile=profile)
    hr = case.responsible_hr
    _union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    ps.end_negotiation(hr, case, end_mode="agreement", ended_at=datetime.now(UTC) - timedelta(minutes=1))
    db.session.flush()
    return hr, case


def test_no_meeting_and_no_minutes_refuses_closing_with_both_reasons(factory):
    hr, case = closing_case(factory)
    reasons = reasons_closed(case, "closing")
    assert any(r.startswith(NO_MEETING) for r in reasons)
    assert NO_MINUTES in reasons
    with pytest.raises(GateClosed):
        ps.complete_stage(hr, case, "closing")


def test_a_planned_or_cancelled_meeting_is_not_a_held_one(factory):
    hr, case = closing_case(factory)
    future = datetime.now(UTC) + timedelta(days=2)
    ms.schedule_meeting(hr, case, title="Planerat", starts_at=future, ends_at=future + timedelta(hours=1), place="Rum 1",
                        stages=["grounds", "effects", "alternatives"])
    past = hold_negotiation(factory, case, hr, approve=False)
    ms.cancel_meeting(hr, past, "Inställt")
    db.session.flush()
    assert any(r.startswith(NO_MEETING) for r in reasons_closed(case, "closing"))


def test_a_held_meeting_must_cover_the_negotiated_stages(factory):
    hr, case = closing_case(factory)
    hold_negotiation(factory, case, hr, stages=["grounds"])
    reasons = reasons_closed(case, "closing")
    assert any("Verkningar" in r and "Alternativ" in r and "Grunder" not in r for r in reasons), reasons
    assert NO_MINUTES not in reasons  # its minutes are approved by both


def test_minutes_exist_but_not_approved_by_both_refuse(factory):
    hr, case = closing_case(factory)
    hold_negotiation(factory, case, hr, approve=False)
    reasons = reasons_closed(case, "closing")
    assert reasons == [NO_MINUTES]


def test_held_meeting_with_approved_minutes_lets_the_negotiation_close(factory):
    hr, case = closing_case(factory)
    hold_negotiation(factory, case, hr)
    assert reasons_closed(case, "closing") == []
    ps.complete_stage(hr, case, "closing")
    assert case.current_stage == "decision"


def test_a_recorded_reason_lets_it_close_without_meeting_and_is_on_the_page(factory, web):
    hr, case = closing_case(factory)
    record_no_meeting(case, hr, "Facket avböjde att förhandla (brev 3 mars).")
    assert reasons_closed(case, "closing") == []
    ps.complete_stage(hr, case, "closing")
    db.session.flush()
    web.login(hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}/stages/closing").get_data(as_text=True)
    assert "Skäl till att inget förhandlingsmöte hölls" in html and "Facket avböjde att förhandla" in html


def test_the_reason_is_recorded_through_the_closing_form(factory, web):
    hr, case = closing_case(factory)
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/stages/closing/content",
                        {"closing-notes": "", "closing-no_meeting_reason": "Facket avböjde förhandling."},
                        token_from=page)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert ps.current_records(case)["closing"].content["no_meeting_reason"] == "Facket avböjde förhandling."


def test_after_a_reopening_the_new_round_needs_its_own_meeting(factory):
    hr, case = closing_case(factory)
    hold_negotiation(factory, case, hr, when=datetime.now(UTC) - timedelta(days=2))
    ps.complete_stage(hr, case, "closing")
    ps.reopen_stage(hr, case, "alternatives", "Planen ändrades väsentligt")
    ps.update_stage(hr, case, "alternatives", alternatives_considered="Nytt alternativ")
    ps.complete_stage(hr, case, "alternatives")
    ps.end_negotiation(hr, case, end_mode="agreement", ended_at=datetime.now(UTC) - timedelta(seconds=1))
    db.session.flush()
    reasons = reasons_closed(case, "closing")
    assert any(r.startswith(NO_MEETING) for r in reasons) and NO_MINUTES in reasons
    # A meeting of the new round need cover only the stages walked again (alternatives).
    hold_negotiation(factory, case, hr, when=datetime.now(UTC), stages=["alternatives"])
    assert reasons_closed(case, "closing") == []


@pytest.mark.parametrize("meeting,minutes,expected", [
    (False, False, []),
    (True, False, [NO_MEETING]),
    (False, True, [NO_MINUTES]),
    (True, True, [NO_MEETING, NO_MINUTES]),
])
def test_the_profile_settings_decide(factory, meeting, minutes, expected):
    """`requires_negotiation_meeting` and `minutes_approved_by_both` are read by the gate: with
    both off (fi-municipal's values) closing needs neither."""
    hr, case = closing_case(factory)
    records = ps.current_records(case)
    facts = gate_facts(case, records)
    settings = replace(get_profile("se-mbl").settings, requires_negotiation_meeting=meeting,
                       minutes_approved_by_both=minutes)
    facts = replace(facts, profile=replace(facts.profile, settings=settings))
    got = gates.negotiation_reasons(records["closing"], facts)
    assert [next(e for e in expected if r.startswith(e)) for r in got] == expected


def test_fi_municipal_closes_without_minutes_and_says_they_are_not_required(factory, web):
    hr, case = closing_case(factory, profile="fi-municipal")
    assert not any(r.startswith(NO_MEETING) or r == NO_MINUTES for r in reasons_closed(case, "closing"))
    web.login(hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Protokoll justerat av båda parter krävs inte enligt förfarandeprofilen" in html
