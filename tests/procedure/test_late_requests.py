"""Item 5 of issue 14: a late central-negotiation request is recorded as late, closed at once with
the reason, never pending, and never offered for ending."""
from datetime import timedelta

import pytest

from tests.procedure.clock import Clock
from tests.procedure.test_central_lock import T0, closing_case, decide, end_and_close
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.procedure import services as ps


def test_late_request_is_closed_at_once_with_the_reason(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)  # window to 9 March
    late = T0 + timedelta(days=8)
    clock.set(late)
    req = ps.request_central_negotiation(union, case, requested_at=late)
    db.session.flush()
    assert not req.timely and not req.is_pending
    assert req.ended_at == late and "efter fristen" in req.outcome and "2026-03-09" in req.outcome
    with pytest.raises(Conflict):
        ps.end_central_negotiation(hr, case, req.id, outcome="Avslutad")
    decide(clock, dm, case, late.date())
    assert not case.non_compliance


def test_case_page_offers_no_end_form_for_a_late_request(factory, monkeypatch, web):
    clock = Clock(monkeypatch)
    hr, union, _dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    late = T0 + timedelta(days=8)
    clock.set(late)
    req = ps.request_central_negotiation(union, case, requested_at=late)
    db.session.commit()
    web.login(hr.email, factory.password)
    page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/central-negotiation/{req.id}/end" not in page
    assert "efter fristen" in page


def test_case_page_offers_the_end_form_for_a_pending_timely_request(factory, monkeypatch, web):
    clock = Clock(monkeypatch)
    hr, union, _dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    clock.set(T0 + timedelta(days=2))
    req = ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=2))
    db.session.commit()
    web.login(hr.email, factory.password)
    page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/central-negotiation/{req.id}/end" in page
