"""The gates are pure functions of the case, its records and the gathered facts: no app, no database."""
from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from tracker.procedure import deadlines as dl
from tracker.procedure import gates
from tracker.procedure.enums import DeadlineCode, Stage, StageStatus
from tracker.procedure.facts import GateFacts
from tracker.procedure.models import StageRecord
from tracker.procedure.profiles import get_profile
from tracker.steering.models import Party


def _case(**kw):
    base = dict(is_large=False, unit_names=[], may_reduce_staff=False, is_archived=False, urgent_reason=None)
    return SimpleNamespace(**{**base, **kw})


def _records(active: Stage, **content) -> dict[Stage, StageRecord]:
    out = {}
    for code in Stage:
        done = list(Stage).index(code) < list(Stage).index(active)
        status = StageStatus.COMPLETED if done else StageStatus.ACTIVE if code == active else StageStatus.PENDING
        out[code] = StageRecord(stage_code=code, round=1, status=status,
                                content=dict(content) if code == active else {})
    return out


def _facts(profile: str = "se-mbl", **kw) -> GateFacts:
    settings = get_profile(profile).settings
    engine = kw.pop("deadlines", dl.Facts(settings=settings))
    base = dict(parties_present=frozenset({Party.EMPLOYER, Party.PERSONNEL}))
    return GateFacts(profile=get_profile(profile), deadlines=engine, **{**base, **kw})


def test_steering_reasons_name_each_missing_party_and_unit():
    case = _case(is_large=True, unit_names=["A", "B"])
    facts = _facts(parties_present=frozenset({Party.PERSONNEL}), personnel_units=frozenset({"A"}))
    reasons = gates.steering_reasons(case, facts)
    assert len(reasons) == 2
    assert "arbetsgivaren" in reasons[0] and "Enheten B" in reasons[1]


def test_effects_and_closing_follow_the_profile_risk_rules():
    effects = _records(Stage.EFFECTS, effects_staff="Färre tjänster")
    se_none, se_assessed = _facts(), _facts(risk_assessed=True)
    assert gates.completion_reasons(_case(), Stage.EFFECTS, effects, se_none) == [
        "Ingen risk- och konsekvensanalys är bifogad."]
    assert gates.completion_reasons(_case(), Stage.EFFECTS, effects, se_assessed) == []
    fi_assessed = _facts("fi-municipal", risk_assessed=True)
    assert gates.completion_reasons(_case(), Stage.EFFECTS, effects, fi_assessed)
    fi_waived = _facts("fi-municipal", risk_assessed=True, risk_waiver_recorded=True)
    assert gates.completion_reasons(_case(), Stage.EFFECTS, effects, fi_waived) == []
    # se-mbl allows no waiver: closing still needs the co-signature
    assert gates.risk_reasons(Stage.CLOSING, _facts(risk_assessed=True, risk_waiver_recorded=True)) == [
        "Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud."]
    assert gates.risk_reasons(Stage.CLOSING, _facts(risk_assessed=True, risk_cosigned=True)) == []


def test_alternatives_wait_for_every_answer():
    records = _records(Stage.ALTERNATIVES)
    assert gates.completion_reasons(_case(), Stage.ALTERNATIVES, records, _facts(open_counter_proposals=2)) == [
        "2 motförslag saknar arbetsgivarens svar."]
    assert gates.completion_reasons(_case(), Stage.ALTERNATIVES, records, _facts()) == []


def test_closing_needs_the_end_the_minimum_period_and_no_pending_central_negotiation():
    settings = get_profile("fi-municipal").settings
    records = _records(Stage.CLOSING)
    records[Stage.CLOSING].negotiation_ended_at = datetime(2026, 3, 15, 10, tzinfo=UTC)
    records[Stage.CLOSING].end_mode = "agreement"
    early = dl.Facts(settings=settings, may_reduce_staff=True, first_meeting_on=date(2026, 3, 7),
                     negotiation_ended_on=date(2026, 3, 15))
    reasons = gates.completion_reasons(_case(may_reduce_staff=True), Stage.CLOSING, records,
                                       _facts("fi-municipal", deadlines=early))
    assert reasons == ["Minsta förhandlingstid är uppfylld först 20 mars 2026."]
    pending = dl.Facts(settings=get_profile("se-mbl").settings,
                       central_requests=(dl.CentralRequestFact(date(2026, 3, 16), True, True),))
    assert "En central förhandling pågår." in gates.completion_reasons(
        _case(), Stage.CLOSING, records, _facts(deadlines=pending, risk_assessed=True, risk_cosigned=True))


def test_reasons_closed_by_status_and_the_active_stages_gate_reasons():
    records = _records(Stage.GROUNDS)
    facts = _facts()
    assert gates.reasons_closed(_case(), Stage.GROUNDS, records, facts) == ["Ange grunderna för förändringen."]
    assert gates.reasons_closed(_case(), Stage.EFFECTS, records, facts) == ["Skedet Grunder är inte avslutat."]
    assert gates.reasons_closed(_case(), Stage.EARLY_INFORMATION, records, facts) == []
    assert gates.reasons_closed(_case(is_archived=True), Stage.GROUNDS, records, facts) == ["Ärendet är arkiverat."]
    assert gates.gate_reasons(_case(), records, facts) == {Stage.GROUNDS: ["Ange grunderna för förändringen."]}
    assert gates.gate_reasons(_case(is_archived=True), records, facts) == {}
    with pytest.raises(ValueError):
        gates.reasons_closed(_case(), "nonsense", records, facts)  # type: ignore[arg-type]


def test_decision_and_archive_reasons():
    records = _records(Stage.DECISION)
    records[Stage.CLOSING].status = StageStatus.PENDING
    assert [code for code, _ in gates.decision_reasons(_case(), records)] == [DeadlineCode.CLOSING_NOT_ENDED]
    assert gates.decision_reasons(_case(urgent_reason="Brand"), records) == []
    assert len(gates.archive_reasons(_case(urgent_reason="Brand"), records)) == 2
    done = _records(Stage.EVALUATION)
    done[Stage.EVALUATION].status = StageStatus.COMPLETED
    assert gates.archive_reasons(_case(), done) == []
