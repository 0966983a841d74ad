"""Item 3 of issue 14: an open, unused central-negotiation window and a pending timely request
block the decision; only the decision maker's audited override passes; never decided and locked."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.procedure.clock import Clock
from tests.procedure.helpers import record_no_meeting, risk_cosigned, staff
from tests.procedure.test_rounds import STAGES, walk_round
from tracker.errors import DomainError, GateClosed
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.models import DeadlineOverride
from tracker.steering.models import Party

TZ = ZoneInfo("Europe/Stockholm")
T0 = datetime(2026, 3, 2, 10, tzinfo=TZ)  # the closing stage is active from here


def closing_case(factory, clock):
    """A se-mbl case with the closing stage active (risk assessment co-signed), its decision maker."""
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl")
    union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    clock.set(T0 - timedelta(days=1))
    risk_cosigned(case, hr, safety, factory.password)
    walk_round(clock, hr, case, ended=T0 - timedelta(days=1), stages=STAGES[:4])
    return hr, union, dm, case


def end_and_close(clock, hr, case, mode="disagreement", when=T0):
    clock.set(when)
    record_no_meeting(case, hr)
    ps.end_negotiation(hr, case, end_mode=mode, ended_at=when, notice_by="employer" if mode == "written_notice" else None)
    ps.complete_stage(hr, case, "closing")
    db.session.flush()


def decide(clock, dm, case, day, **kw):
    clock.set(datetime(day.year, day.month, day.day, 15, tzinfo=TZ))
    return ps.register_decision(dm, case, body="Kommunstyrelsen", decided_on=day, reference="§ 12", **kw)


@pytest.mark.parametrize("mode", ["disagreement", "written_notice"])
def test_decision_refused_while_the_window_is_open_with_the_day_it_becomes_possible(factory, monkeypatch, mode):
    clock = Clock(monkeypatch)
    _hr, _union, dm, case = closing_case(factory, clock)
    end_and_close(clock, _hr, case, mode)  # 2 March: the window runs to 9 March
    with pytest.raises(GateClosed) as info:
        decide(clock, dm, case, date(2026, 3, 9))
    assert info.value.details["earliest"] == date(2026, 3, 10)
    assert any("10 mars 2026" in r and "9 mars 2026" in r for r in info.value.reasons)
    db.session.rollback()


def test_decision_possible_the_day_after_the_window_when_unused(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, _union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    decide(clock, dm, case, date(2026, 3, 10))
    assert case.status == "decided" and not case.non_compliance


def test_pending_timely_request_refuses_until_the_central_negotiation_ends(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    clock.set(T0 + timedelta(days=3))
    request = ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=3))
    with pytest.raises(GateClosed) as info:
        decide(clock, dm, case, date(2026, 3, 20))
    assert info.value.details["earliest"] is None
    assert any("centrala förhandlingen är avslutad" in r for r in info.value.reasons)
    clock.set(T0 + timedelta(days=20))
    ps.end_central_negotiation(hr, case, request.id, outcome="Oenighet kvarstår", ended_at=T0 + timedelta(days=20))
    decide(clock, dm, case, date(2026, 3, 23))
    assert not case.non_compliance


def test_override_passes_the_window_flags_and_names_it_and_a_later_request_does_not_lock(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    decide(clock, dm, case, date(2026, 3, 4), override_reason="Akut budgetläge kräver beslut nu")
    assert case.non_compliance
    assert [o.deadline_code for o in db.session.query(DeadlineOverride).filter_by(case_id=case.id)] == \
        ["central_negotiation_window"]
    clock.set(T0 + timedelta(days=4))
    assert ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=4)).timely
    codes = {d.code for d in ps.deadlines_for(case)}
    assert "central_negotiation_pending" not in codes


STEP = st.one_of(
    st.tuples(st.just("end"), st.sampled_from(["agreement", "disagreement", "written_notice"])),
    st.just(("complete_closing",)),
    st.just(("request",)),
    st.just(("end_central",)),
    st.tuples(st.just("decide"), st.booleans()),
    st.just(("reopen_closing",)),
)


def _act(step, when, hr, union, dm, case):
    kind = step[0]
    if kind == "end":
        record_no_meeting(case, hr)
        ps.end_negotiation(hr, case, end_mode=step[1], ended_at=when,
                           notice_by="personnel" if step[1] == "written_notice" else None)
    elif kind == "complete_closing":
        ps.complete_stage(hr, case, "closing")
    elif kind == "request":
        ps.request_central_negotiation(union, case, requested_at=when)
    elif kind == "end_central":
        pending = [r for r in ps.central_requests_of(case) if r.is_pending]
        if pending:
            ps.end_central_negotiation(hr, case, pending[0].id, outcome="Avslutad", ended_at=when)
    elif kind == "decide":
        ps.register_decision(dm, case, body="Kommunstyrelsen", decided_on=when.astimezone(TZ).date(),
                             reference="§ 1", override_reason="Synnerligen brådskande läge" if step[1] else None)
    else:
        ps.reopen_stage(hr, case, "closing", "Planen ändrades väsentligt")


def _decided(case):
    return ps.current_records(case)["decision"].status == "completed"


def test_no_reachable_state_is_both_decided_and_locked(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(STEP, st.integers(min_value=0, max_value=6)), max_size=8))
    def run(steps):
        outer = db.session.begin_nested()
        try:
            when = T0
            for step, days in steps:
                when += timedelta(days=days)
                clock.set(when)
                day = when.astimezone(TZ).date()
                locks_before = dl.decision_locks(ps.facts_for(case), day)
                was_decided = _decided(case)
                inner = db.session.begin_nested()
                try:
                    _act(step, when, hr, union, dm, case)
                except DomainError:
                    inner.rollback()
                    db.session.expire_all()
                    continue
                inner.commit()
                if step[0] == "decide" and not was_decided:
                    # Deciding under a lock needs the override, which names each lock and flags the case.
                    assert not locks_before or step[1]
                    named = {o.deadline_code for o in ps.overrides_of(case)}
                    assert all(code in named for code, _day in locks_before)
                    assert not locks_before or case.non_compliance
                facts = ps.facts_for(case)
                if _decided(case):
                    assert dl.decision_locks(facts, day) == []
                    assert ps.decision_blockers(case, day) == [] or was_decided
                    pending = [d for d in dl.compute(facts, day)
                               if d.code == dl.CENTRAL_PENDING and not d.overridden]
                    assert pending == []
                    # A timely request pending before the decision was overridden by name.
                    if any(r.timely and r.is_pending for r in ps.central_requests_of(case)) and not case.urgent_reason:
                        named = {o.deadline_code for o in ps.overrides_of(case)}
                        requested_after = all(
                            r.requested_at.astimezone(TZ).date() >= facts.decision_on
                            for r in ps.central_requests_of(case) if r.is_pending)
                        assert requested_after or named & {dl.CENTRAL_PENDING, dl.CENTRAL_WINDOW}
        finally:
            outer.rollback()
            db.session.expire_all()

    run()


def test_after_reopening_the_closing_the_new_window_is_the_unions_again(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, union, dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    clock.set(T0 + timedelta(days=2))
    first = ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=2))
    clock.set(T0 + timedelta(days=10))
    ps.end_central_negotiation(hr, case, first.id, outcome="Oenighet", ended_at=T0 + timedelta(days=10))
    clock.set(T0 + timedelta(days=30))
    ps.reopen_stage(hr, case, "closing", "Planen ändrades väsentligt")
    end_and_close(clock, hr, case, when=T0 + timedelta(days=31))  # 2 April: window to 9 April
    with pytest.raises(GateClosed) as info:
        decide(clock, dm, case, date(2026, 4, 3))
    assert info.value.details["earliest"] == date(2026, 4, 10)
    clock.set(T0 + timedelta(days=33))
    assert ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=33)).timely
