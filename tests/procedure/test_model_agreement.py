"""Issue #14 item 14: the engine and an independent model of DESIGN.md §2 agree on every gate and
deadline, over random procedure histories.

A history is a case (profile `fi-municipal` or `se-mbl`, some of its settings varied, the
organisation's time zone Europe/Stockholm or Europe/Helsinki, staff affected) and a list of steps,
each after a gap of minutes, hours or days from a start within three weeks before a DST change:
proposal deliveries, meetings, risk assessments, stage completions, ends of negotiation in every
mode (backdated a little), central-negotiation requests (timely and late) and their ends,
reopenings at any stage, overrides, urgent decisions, decisions (with and without an override).

Before every step both sides give their verdict; they must agree on:
- every deadline of the current round (code and date),
- every reason a decision today is refused, with the date it lifts,
- every reason the current stage cannot be completed,
- whether a meeting now is allowed, and whether a central-negotiation request is accepted and timely,
- the stage walk (which stage is current, each stage's status),
and no state is both decided and locked.

`test_engine_agrees_with_the_model` drives the engine's pure functions (`model_engine.PureEngine`):
2,000 histories in CI (settings profile `model-ci`, chosen when CI=true), 300 locally.
`test_services_agree_with_the_model` drives the real services on the database (50 histories), so
the facts the engine reads are also the ones derived from stored records.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.procedure import reference_model as rm
from tests.procedure.clock import Clock
from tests.procedure.model_db import DbEngine
from tests.procedure.model_engine import PureEngine
from tracker.extensions import db
from tracker.procedure.enums import Stage

settings.register_profile("model-ci", max_examples=2000, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("model-dev", max_examples=int(os.environ.get("MODEL_EXAMPLES", "300")), deadline=None,
                          derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
DB_EXAMPLES = int(os.environ.get("MODEL_DB_EXAMPLES", "50"))
PROFILE = settings.get_profile("model-ci" if os.environ.get("CI") == "true" else "model-dev")

# Every rule of issue #14 is built, so every switch is on (reference_model.Switches);
# MODEL_SWITCHES_OFF=overrides_per_round,... turns some off to see the model's earlier reading.
SWITCHES = rm.Switches(**{name: False for name in os.environ.get("MODEL_SWITCHES_OFF", "").split(",") if name})

# Europe's DST changes (last Sunday of March and October), 01:00 UTC in both zones.
DST_CHANGES = (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
               datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC))
TIME_ZONES = ("Europe/Stockholm", "Europe/Helsinki")


@st.composite
def cases(draw: Any, shipped: bool = False) -> rm.Case:
    profile = draw(st.sampled_from(["fi-municipal", "se-mbl"]))
    if shipped:
        override: dict[str, Any] = {}
    elif profile == "fi-municipal":
        override = {"proposal_lead_days": draw(st.sampled_from([5, 5, 0, 2])),
                    "min_negotiation_days": draw(st.sampled_from([14, 14, 0, 1])),
                    "large_staff_extended_period_enabled": draw(st.booleans()),
                    "requires_proposal_when_reductions": draw(st.sampled_from([True, True, False]))}
    else:
        override = {"central_negotiation_window_days": draw(st.sampled_from([7, 7, 0, 1, 10])),
                    "urgent_negotiation_days": draw(st.sampled_from([14, 14, 1, 30])),
                    "requires_risk_assessment_cosigned": draw(st.sampled_from([True, True, False]))}
    return rm.Case(profile=profile, tz=draw(st.sampled_from(TIME_ZONES)), may_reduce_staff=draw(st.booleans()),
                   staff_affected=draw(st.integers(0, 30)), settings_override=override)


MODES = ("agreement", "disagreement", "written_notice")


def gap(n: int) -> timedelta:
    """A gap of minutes, hours or days (with minutes), from one number (0 = none)."""
    kind, n = n % 3, n // 3
    if kind == 0:
        return timedelta(minutes=n % 241)
    if kind == 1:
        return timedelta(hours=1 + n % 72)
    return timedelta(days=1 + n % 16, minutes=(n // 16) % 1440)


def action(n: int) -> tuple[Any, ...]:
    """One step's action from one number; most steps move the walk on (`progress`)."""
    pick, n = n % 25, n // 25
    if pick < 10:
        return ("advance", MODES[n % 3])
    return (
        ("proposal",), ("meeting",), ("risk", bool(n % 2)), ("complete",),
        ("end", MODES[n % 3], ("employer", "personnel")[n // 3 % 2], n // 6 % 601),
        ("request",), ("request",), ("end_central",),
        ("reopen", rm.STAGES[n % len(rm.STAGES)]), ("reopen", rm.STAGES[n % 5]),
        ("override", rm.OVERRIDABLE[n % len(rm.OVERRIDABLE)]), ("urgent",),
        ("decide", n % 4 == 0, (n // 4) % 3 * (n // 12 % 9)), ("minutes",), ("no_negotiation",),
    )[pick - 10]


@st.composite
def histories(draw: Any, shipped: bool = False) -> tuple[rm.Case, datetime, list[tuple[timedelta, tuple[Any, ...]]]]:
    case = draw(cases(shipped))
    start = draw(st.sampled_from(DST_CHANGES)) - timedelta(days=draw(st.integers(0, 21)),
                                                            minutes=draw(st.integers(0, 1439)))
    numbers = draw(st.lists(st.integers(0, 2**40), min_size=12, max_size=45))
    return case, start, [(gap(n >> 20), action(n & 0xFFFFF)) for n in numbers]


@dataclass
class Step:
    now: datetime
    previous: datetime
    action: tuple[Any, ...]


def compare(model: rm.Model, engine: PureEngine, now: datetime, trail: list[Any]) -> None:
    """Both sides' verdicts now; any difference fails with the history so far."""
    today = model.day(now)
    where = f"at {now.isoformat()} (local {today}), after {trail}"
    assert engine.current == model.current, where
    assert {str(k): str(v.status) for k, v in engine.records.items()} == model.status, where
    deadlines = engine.deadlines(today)
    assert deadlines == model.deadlines(), where
    if not engine.decided():
        assert engine.decision_blockers(today) == model.decision_gate(today), where
    assert not (engine.decided() and "central_negotiation_pending" in deadlines), where
    stage = engine.current
    if stage not in (Stage.DECISION, Stage.EVALUATION) and model.status[stage] == "active":
        assert engine.complete_reasons(stage) == model.complete_gate(stage).reasons, where
    if SWITCHES.urgent_task:  # item 6: the engine is to report the urgent negotiation's due date
        assert engine.urgent_task_due(today) == model.urgent_task_due(), where


def progress(model: rm.Model, mode: str, now: datetime) -> tuple[Any, ...]:
    """The action that moves the walk on from here (what a user would do next)."""
    stage = model.current
    if model.window_last_day() is not None and not model.round_requests() and mode == "disagreement":
        return ("request",)
    if model.pending() and mode != "disagreement":
        return ("end_central",)
    if stage == "decision" or (stage == "evaluation" and model.decided_on is None):
        return ("decide", False)
    if model.status[stage] != "active" or stage == "evaluation":
        return ("noop",)
    reasons = model.complete_gate(stage).reasons
    if rm.PROPOSAL_MISSING in reasons:
        return ("proposal",)
    if reasons & {rm.RISK_MISSING, rm.RISK_NOT_COSIGNED}:
        return ("risk", True)
    if not model.round_meetings() and stage in ("grounds", "effects", "closing"):
        gate = model.meeting_gate(now)
        if gate.allowed or gate.lifts_on is not None:
            return ("meeting",)  # too early: refused, and the time passes
        return ("proposal",) if model.status["early_information"] == "active" else \
            ("override", rm.EARLIEST_FIRST_MEETING)
    if rm.NEGOTIATION_NOT_HELD in reasons:
        return ("meeting",)
    if rm.MINUTES_NOT_APPROVED in reasons:
        return ("minutes",)
    if rm.CLOSING_NOT_ENDED in reasons:
        return ("end", mode, "employer" if int(now.timestamp()) % 2 else "personnel", 30)
    if rm.CENTRAL_PENDING in reasons:
        return ("end_central",)
    return ("complete",)


def play(model: rm.Model, engine: PureEngine, step: Step) -> None:  # noqa: C901 - one branch per action
    if step.action[0] == "advance":
        step = Step(step.now, step.previous, progress(model, step.action[1], step.now))
    now, kind = step.now, step.action[0]
    today = model.day(now)
    if kind == "proposal" and model.status["early_information"] == "active":
        model.deliver_proposal(now)
        engine.deliver_proposal(now)
    elif kind == "meeting":
        verdict = model.meeting_gate(now)
        refused, earliest = engine.try_meeting(now)
        assert refused == (not verdict.allowed)
        if refused and verdict.lifts_on is not None:
            assert earliest == verdict.lifts_on
        if not refused:
            model.hold_meeting(rm.Meeting(now))
    elif kind == "risk":
        model.risk_assessed, model.risk_cosigned = True, model.risk_cosigned or step.action[1]
        engine.record_risk(step.action[1])
    elif kind == "complete":
        stage = model.current
        if stage not in ("decision", "evaluation") and model.status[stage] == "active" \
                and model.complete_gate(stage).allowed:
            model.complete(stage)
            engine.complete(Stage(stage))
    elif kind == "end" and model.status["closing"] == "active":
        at = max(now - timedelta(minutes=step.action[3]), step.previous)
        model.end_negotiation(at, step.action[1])
        engine.end_negotiation(at, step.action[1], step.action[2])
    elif kind == "request":
        verdict, timely = model.request_gate(now)
        assert engine.try_request(now) == (verdict.allowed, timely if verdict.allowed else False)
        if verdict.allowed:
            model.request_central(now, timely)
    elif kind == "end_central" and model.pending():
        model.end_central()
        engine.end_central(now)
    elif kind == "reopen" and model.reopen_gate(step.action[1]).allowed:
        model.reopen(step.action[1], now)
        engine.reopen(Stage(step.action[1]), now)
    elif kind == "minutes" and model.round_meetings():
        # Item 4 (switch `negotiation_happened`): both parties approve the latest meeting's minutes.
        model.round_meetings()[-1].minutes = "approved"
        engine.approve_minutes()
    elif kind == "no_negotiation" and model.status["closing"] == "active":
        # Item 4: recorded in the closing stage's form (only while it is active).
        model.no_negotiation_reason = True
        engine.record_no_negotiation()
    elif kind == "override":
        model.override(step.action[1])
        engine.override(step.action[1])
    elif kind == "urgent" and model.s["allows_urgent_decision"] and model.urgent_at is None:
        model.record_urgent(now)
        engine.record_urgent(now)
    elif kind == "decide" and model.decided_on is None:
        # The decision date may lie in the past (a decision registered afterwards).
        on = today - timedelta(days=step.action[2] if len(step.action) > 2 else 0)
        blockers = model.decision_gate(on)
        assert engine.decision_blockers(on) == blockers
        if not blockers or step.action[1]:
            model.decide(on, set(blockers))
            engine.decide(on, sorted(blockers))


def run(case: rm.Case, start: datetime, steps: list[tuple[timedelta, tuple[Any, ...]]],
        engine: Any = None) -> None:
    model = rm.Model(case, SWITCHES)
    engine = engine if engine is not None else PureEngine(case)
    now, trail = start, []
    for gap_, action_ in steps:
        previous, now = now, now + gap_
        engine.at(now)
        compare(model, engine, now, trail)
        trail.append((now.isoformat(), action_))
        play(model, engine, Step(now, previous, action_))
    engine.at(now + timedelta(days=30))
    compare(model, engine, now + timedelta(days=30), trail)


@contextmanager
def org_timezone(app: Flask, tz: str) -> Iterator[None]:
    old = app.config["ORG_TIMEZONE"]
    app.config["ORG_TIMEZONE"] = tz
    try:
        yield
    finally:
        app.config["ORG_TIMEZONE"] = old


@pytest.mark.sqlite  # no database: once per CI run is enough
def test_engine_agrees_with_the_model(session_app: Flask) -> None:
    @settings(PROFILE)
    @given(histories())
    def check(history: tuple[rm.Case, datetime, list[tuple[timedelta, tuple[Any, ...]]]]) -> None:
        case, start, steps = history
        with session_app.app_context(), org_timezone(session_app, case.tz):
            run(case, start, steps)

    check()


def test_services_agree_with_the_model(app: Flask, factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)

    @settings(max_examples=DB_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(histories(shipped=True))
    def check(history: tuple[rm.Case, datetime, list[tuple[timedelta, tuple[Any, ...]]]]) -> None:
        case, start, steps = history
        outer = db.session.begin_nested()
        try:
            with org_timezone(app, case.tz):
                run(case, start, steps, DbEngine(factory, clock, case, start))
        finally:
            outer.rollback()
            db.session.expire_all()

    check()


def test_the_model_reads_the_shipped_profiles() -> None:
    fi, se = rm.load_settings("fi-municipal"), rm.load_settings("se-mbl")
    assert (fi["proposal_lead_days"], fi["min_negotiation_days"], fi["central_negotiation_enabled"]) == (5, 14, False)
    assert (se["central_negotiation_window_days"], se["allows_urgent_decision"]) == (7, True)


def test_a_dst_evening_is_the_next_local_day_in_both_zones() -> None:
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 (CET+1) in Stockholm, 01:30 in Helsinki
    for tz in TIME_ZONES:
        assert rm.Model(rm.Case("se-mbl", tz)).day(late) == date(2026, 3, 29)
