"""The engine side of the agreement test: the engine's PURE functions over in-memory records.

`PureEngine` holds what the database would hold for one case (the current and frozen stage
records, meetings, central requests, overrides, the risk assessment) as plain objects, changes
them the way the services do, and asks the engine's pure functions for every verdict:
`facts.deadline_facts`, `deadlines.compute`, `gates.completion_reasons`,
`gates.decision_blockers`, `deadlines.central_window_ends`. No database, so thousands of
histories run in seconds; `test_model_agreement.py::test_services_agree_with_the_model` checks
the same on the real services.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from tests.procedure import reference_model as rm
from tracker.procedure import deadlines as dl
from tracker.procedure import gates
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.facts import NEGOTIATED_STAGES, NEGOTIATION_STAGES, GateFacts, deadline_facts, round_stages
from tracker.procedure.profiles import ProfileSettings, get_profile
from tracker.procedure.stages import STAGES, next_stage, stage_index
from tracker.procedure.urgent import urgent_task
from tracker.steering.models import Party
from tracker.timeutil import local_date

CONTENT = {
    Stage.EARLY_INFORMATION: {"information_given": "Planerna", "information_given_on": "2026-01-01"},
    Stage.GROUNDS: {"reasons": "Budgetläget"},
    Stage.EFFECTS: {"effects_staff": "Färre tjänster"},
}

# The Swedish source texts of the gates' reasons -> the model's codes (no request: no translation).
REASON_CODES = (
    ("avslutning (tid och sätt)", rm.CLOSING_NOT_ENDED),
    ("Minsta förhandlingstid", rm.MIN_PERIOD_NOT_MET),
    ("central förhandling pågår", rm.CENTRAL_PENDING),
    ("Ingen risk- och konsekvensanalys", rm.RISK_MISSING),
    ("inte medundertecknad", rm.RISK_NOT_COSIGNED),
    ("förhandlingsframställan är inte lämnad", rm.PROPOSAL_MISSING),
    ("Inget förhandlingsmöte är hållet", rm.NEGOTIATION_NOT_HELD),
    ("Förhandlingsmötena har inte behandlat", rm.NEGOTIATION_NOT_HELD),
    ("Inget protokoll från ett hållet förhandlingsmöte", rm.MINUTES_NOT_APPROVED),
)


def reason_code(text: str) -> str:
    return next((code for needle, code in REASON_CODES if needle in text), f"unknown: {text}")


def _record(stage: Stage, round_: int, status: StageStatus) -> SimpleNamespace:
    return SimpleNamespace(stage_code=stage, round=round_, status=status, content=dict(CONTENT.get(stage, {})),
                           proposal_delivered_at=None, negotiation_ended_at=None, end_mode=None,
                           decision_date=None, approved_on=None, superseded_at=None, started_at=None)


class PureEngine:
    def __init__(self, case: rm.Case) -> None:
        self.settings = ProfileSettings(**case.settings())
        self.profile = dataclasses.replace(get_profile(case.profile), settings=self.settings)
        self.case = SimpleNamespace(id=1, profile_code=case.profile, may_reduce_staff=case.may_reduce_staff,
                                    staff_affected=case.staff_affected, urgent_reason=None, is_archived=False,
                                    is_large=False, unit_names=[])
        self.records = {code: _record(code, 1, StageStatus.PENDING) for code in STAGES}
        self.records[Stage.EARLY_INFORMATION].status = StageStatus.ACTIVE
        self.current = Stage.EARLY_INFORMATION
        self.frozen: list[SimpleNamespace] = []
        self.meetings: list[datetime] = []
        self.approved: set[datetime] = set()  # meetings whose minutes both parties approved
        self.requests: list[SimpleNamespace] = []
        self.overrides: list[tuple[str, int]] = []  # (code, round): item 1, an override belongs to its round
        self.round = 1  # the case's round: 1 + the number of reopenings
        self.now: datetime | None = None
        self.risk_assessed = self.risk_cosigned = False
        self._facts: dl.Facts | None = None
        self.urgent_at: datetime | None = None

    # ---------------------------------------------------------------- the engine's verdicts
    def round_began(self) -> datetime | None:
        """As `facts.negotiation_round_start`: the latest reopening of a negotiation stage."""
        return max((r.superseded_at for r in self.frozen if r.stage_code in NEGOTIATION_STAGES), default=None)

    def first_meeting(self) -> datetime | None:
        """As `facts.first_meetings`: meetings at or after the latest reopening of a negotiation stage."""
        began = self.round_began()
        return min((m for m in self.meetings if began is None or m >= began), default=None)

    def held(self) -> list[datetime]:
        """As `facts.held_meetings`: the round's meetings that have started (each covers every negotiated stage)."""
        began = self.round_began()
        return [m for m in self.meetings if (began is None or m >= began) and (self.now is None or m <= self.now)]

    def facts(self) -> dl.Facts:
        """The deadline engine's input, computed once per state (every change below clears it)."""
        if self._facts is None:
            self._facts = self._derive_facts()
        return self._facts

    def _derive_facts(self) -> dl.Facts:
        requests = [SimpleNamespace(requested_at=r.requested_at, timely=r.timely, is_pending=r.ended_at is None)
                    for r in self.requests]
        overridden = [code for code, round_ in self.overrides if round_ == self.round]
        facts = deadline_facts(self.case, self.records, self.first_meeting(), requests, overridden)  # type: ignore[arg-type]
        return dataclasses.replace(facts, settings=self.settings)

    def gate_facts(self) -> GateFacts:
        held = self.held()
        return GateFacts(profile=self.profile, deadlines=self.facts(),
                         parties_present=frozenset({Party.EMPLOYER, Party.PERSONNEL}),
                         risk_assessed=self.risk_assessed, risk_cosigned=self.risk_cosigned,
                         held_meetings=len(held),
                         held_meeting_stages=frozenset(str(code) for code in NEGOTIATED_STAGES) if held else frozenset(),
                         approved_minutes=sum(1 for m in held if m in self.approved),
                         round_stages=round_stages(self.records, self.round_began()))  # type: ignore[arg-type]

    def deadlines(self, today: date) -> dict[str, date | None]:
        return {str(d.code): d.due for d in dl.compute(self.facts(), today)}

    def complete_reasons(self, stage: Stage) -> frozenset[str]:
        reasons = gates.completion_reasons(self.case, stage, self.records, self.gate_facts())  # type: ignore[arg-type]
        return frozenset(reason_code(r) for r in reasons)

    def decision_blockers(self, day: date) -> dict[str, date | None]:
        return {str(code): when for code, _r, when in
                gates.decision_blockers(self.case, self.records, self.facts(), day)}  # type: ignore[arg-type]

    def meeting_refusal(self, at: datetime) -> tuple[bool, date | None]:
        """As `queries.assert_meeting_allowed`: (refused, earliest)."""
        facts = self.facts()
        if not dl.proposal_rule_applies(facts) or dl.EARLIEST_FIRST_MEETING in facts.overridden:
            return False, None
        earliest = dl.earliest_first_meeting(facts)
        return (earliest is None or local_date(at) < earliest), earliest

    def request_outcome(self, at: datetime) -> tuple[bool, bool]:
        """As `services.request_central_negotiation`: (accepted, timely)."""
        facts = self.facts()
        window_end = dl.central_window_ends(facts)
        if window_end is None or any(r.timely for r in facts.central_requests):
            return False, False
        return True, local_date(at) <= window_end

    def at(self, now: datetime) -> None:
        """The services' clock (the pure engine takes its dates as arguments; "held" reads it)."""
        self.now = now

    def try_meeting(self, at: datetime) -> tuple[bool, date | None]:
        refused, earliest = self.meeting_refusal(at)
        if not refused:
            self.add_meeting(at)
        return refused, earliest

    def try_request(self, at: datetime) -> tuple[bool, bool]:
        accepted, timely = self.request_outcome(at)
        if accepted:
            self.request_central(at, timely)
        return accepted, timely

    def record_risk(self, cosigned: bool) -> None:
        self.risk_assessed = True
        self.risk_cosigned = self.risk_cosigned or cosigned

    def record_urgent(self, at: datetime) -> None:
        self.case.urgent_reason = "Synnerliga skäl: akut läge"
        self.urgent_at = at

    def urgent_task_due(self, today: date) -> date | None:
        """Item 6: the open urgent-negotiation task's due date (None: no task or done)."""
        if self.urgent_at is None:
            return None
        task = urgent_task(local_date(self.urgent_at), self.settings,
                           closing_completed=self.records[Stage.CLOSING].status == StageStatus.COMPLETED, today=today)
        return task.due if task is not None and task.open else None

    def decided(self) -> bool:
        return self.records[Stage.DECISION].status == StageStatus.COMPLETED

    # ---------------------------------------------------------------- the services' changes
    def _advance(self, after: Stage) -> None:
        code = next_stage(after)
        while code is not None and self.records[code].status == StageStatus.COMPLETED:
            code = next_stage(code)
        if code is not None:
            if self.records[code].status == StageStatus.PENDING:
                self.records[code].status = StageStatus.ACTIVE
                self.records[code].started_at = self.now
            self.current = code

    def add_meeting(self, at: datetime) -> None:
        self._facts = None
        self.meetings.append(at)

    def deliver_proposal(self, at: datetime) -> None:
        self._facts = None
        self.records[Stage.EARLY_INFORMATION].proposal_delivered_at = at

    def complete(self, stage: Stage) -> None:
        self._facts = None
        self.records[stage].status = StageStatus.COMPLETED
        self._advance(stage)

    def end_negotiation(self, at: datetime, mode: str, by: str = "personnel") -> None:
        self._facts = None
        rec = self.records[Stage.CLOSING]
        rec.negotiation_ended_at, rec.end_mode = at, mode

    def request_central(self, at: datetime, timely: bool) -> None:
        self._facts = None
        self.requests.append(SimpleNamespace(requested_at=at, timely=timely, ended_at=None if timely else at))

    def end_central(self, at: datetime) -> None:
        self._facts = None
        for r in self.requests:
            if r.ended_at is None:
                r.ended_at = at

    def override(self, code: str) -> None:
        self._facts = None
        self.overrides.append((code, self.round))

    def decide(self, day: date, codes: list[str]) -> None:
        self._facts = None
        self.overrides.extend((code, self.round) for code in codes)
        rec = self.records[Stage.DECISION]
        rec.status, rec.decision_date = StageStatus.COMPLETED, day
        if self.current == Stage.DECISION:
            self._advance(Stage.DECISION)

    def reopen(self, stage: Stage, at: datetime) -> None:
        """As `services.reopen_stage`: a new round of the stage and of every later stage that had started."""
        self._facts = None
        self.round += 1
        for code in STAGES[stage_index(stage):]:
            old = self.records[code]
            if code != stage and old.status == StageStatus.PENDING:
                continue
            old.superseded_at = at
            self.frozen.append(old)
            fresh = _record(code, old.round + 1, StageStatus.ACTIVE if code == stage else StageStatus.PENDING)
            if code == stage:
                fresh.content = dict(old.content)
                fresh.started_at = at
            self.records[code] = fresh
        self.current = stage

    def attrs(self) -> dict[str, Any]:  # for failure messages
        return {"current": self.current, "records": {str(k): (str(v.status), v.round) for k, v in self.records.items()},
                "meetings": self.meetings, "requests": self.requests, "overrides": self.overrides,
                "approved": self.approved}

    # ---------------------------------------------------------------- item 4: the negotiation happened
    def approve_minutes(self) -> None:
        """Both parties approve the minutes of the round's latest held meeting."""
        held = self.held()
        if held:
            self.approved.add(max(held))

    def record_no_negotiation(self) -> None:
        """The closing stage records why no negotiation meeting was held (as the closing form does)."""
        self.records[Stage.CLOSING].content["no_meeting_reason"] = "Facket avböjde att förhandla."

