"""An independent reference model of DESIGN.md §2's procedure rules (tests only).

Written from the rules (DESIGN.md §2, issue #14 items 1-5, the KYNK directive, the two shipped
profiles), not from `tracker.procedure`: it imports nothing from the tracker and reads the
profiles as JSON data. `test_model_agreement.py` feeds the same random history to this model and
to the engine and requires both to give the same verdict on every gate and deadline.

The model is a small state machine over one case: `allowed(action)` answers every gate (with its
reasons as codes and the date a refusal lifts), `apply(action)` records what was allowed, and
`deadlines(now)` lists the deadlines of the current round. Instants are aware UTC datetimes; a
rule counted in days uses the organisation-local calendar date of the instant.

Where the rules leave a choice open, the choice is named here (`RULE_*` comments) and the report
of issue #14 item 14 lists it. Rules the issue asks for that the engine does not implement yet
are behind `Switches` (off = the model follows today's engine, on = the rule as the issue states).

Choices where the rules are silent (the engine's reading, kept): the minimum period applies only
when the change may reduce staff; the first meeting is day 1 (met on first + N - 1, decision from
first + N); "earliest decision" is the minimum period's date, the window is its own deadline;
the window's last day is end + N; closing needs the end on or after the day the period is met;
a reopening of a negotiation stage starts a new round (meetings from then on, the end again, the
proposal again only when early information is reopened), a reopening of the decision does not;
a pending timely request keeps locking across a reopening; an override belongs to the round it
was given in, and every reopening (the decision's too) starts a new round (DESIGN.md §2); the proposal rule applies whenever the lead days are set and the change may
reduce staff; evaluation due = decision + months, clamped to the month's end.
"""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PROFILE_DIR = Path(__file__).resolve().parents[2] / "tracker" / "procedure" / "profiles"

STAGES = ("early_information", "grounds", "effects", "alternatives", "closing", "decision", "evaluation")
# A reopening of one of these restarts the negotiation (a new round of proposal, meetings, end).
NEGOTIATION = STAGES[:5]

# Deadline and lock codes (the strings the engine's DeadlineCode uses, written out).
EARLIEST_FIRST_MEETING = "earliest_first_meeting"
MIN_NEGOTIATION = "min_negotiation_period"
EARLIEST_DECISION = "earliest_decision"
CENTRAL_WINDOW = "central_negotiation_window"
CENTRAL_PENDING = "central_negotiation_pending"
EVALUATION_DUE = "evaluation_due"
CLOSING_NOT_ENDED = "closing_not_ended"
# Gates without a date (the model's own names).
PROPOSAL_MISSING = "proposal_missing"
MIN_PERIOD_NOT_MET = "min_period_not_met"
RISK_NOT_COSIGNED = "risk_not_cosigned"
RISK_MISSING = "risk_missing"
NEGOTIATION_NOT_HELD = "negotiation_not_held"
MINUTES_NOT_APPROVED = "minutes_not_approved"

OVERRIDABLE = (EARLIEST_FIRST_MEETING, EARLIEST_DECISION, CENTRAL_WINDOW, CENTRAL_PENDING, CLOSING_NOT_ENDED)


def load_settings(profile: str) -> dict[str, Any]:
    """The profile's settings with the schema's defaults filled in (read as data)."""
    schema = json.loads((PROFILE_DIR / "profile.schema.json").read_text(encoding="utf-8"))
    defaults = {k: v["default"] for k, v in schema["properties"]["settings"]["properties"].items()}
    data = json.loads((PROFILE_DIR / f"{profile}.json").read_text(encoding="utf-8"))
    return {**defaults, **data.get("settings", {})}


@dataclass(frozen=True)
class Switches:
    """Rules of issue #14 the engine does not implement yet; turn one on when it does."""

    # Item 1: an override belongs to the round it was given in; a reopening needs new overrides.
    overrides_per_round: bool = True
    # Item 4: se-mbl closing needs a held negotiation meeting (or a recorded reason), and
    # "minutes approved by both" holds only when minutes exist and both approved them.
    negotiation_happened: bool = True
    # Item 6: an urgent decision opens the mandatory negotiation as a task due in 14 days
    # (on since the engine has `tracker.procedure.urgent`).
    urgent_task: bool = True


@dataclass(frozen=True)
class Case:
    profile: str
    tz: str
    may_reduce_staff: bool = False
    staff_affected: int = 0
    settings_override: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        return {**load_settings(self.profile), **self.settings_override}


@dataclass(frozen=True)
class Verdict:
    """A gate's answer: allowed, or refused with its reasons (codes) and the date it lifts."""

    reasons: frozenset[str] = frozenset()
    lifts_on: date | None = None

    @property
    def allowed(self) -> bool:
        return not self.reasons


@dataclass
class Request:
    at: datetime
    timely: bool
    pending: bool


@dataclass
class Meeting:
    at: datetime
    negotiation: bool = True       # discusses grounds / effects / alternatives
    minutes: str = "none"          # none | draft | approved (by both)


def add_months(d: date, months: int) -> date:
    """RULE_MONTHS: the same day `months` later, the month's last day when it has no such day."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class Model:
    """One case's procedure, as DESIGN.md §2 states it."""

    def __init__(self, case: Case, switches: Switches | None = None) -> None:
        self.case = case
        self.s = case.settings()
        self.sw = switches or Switches()
        self.status = {code: "pending" for code in STAGES}
        self.status["early_information"] = "active"
        self.current = "early_information"
        self.negotiation_round = 1
        # DESIGN.md §2: "each reopening starts a new round" (any stage): an override is a record of it.
        self.round = 1
        self.round_began: datetime | None = None
        self.proposal_at: datetime | None = None
        self.meetings: list[Meeting] = []
        self.end: tuple[datetime, str] | None = None
        self.requests: list[Request] = []
        self.overrides: list[tuple[str, int]] = []
        self.risk_assessed = False
        self.risk_cosigned = False
        self.no_negotiation_reason = False
        self.urgent_at: datetime | None = None
        self.decided_on: date | None = None

    # ---------------------------------------------------------------- facts of the current round
    def day(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.case.tz)).date()

    def proposal_rule(self) -> bool:
        """fi-municipal: a written proposal `lead` days ahead when the change may reduce staff."""
        return bool(self.case.may_reduce_staff and self.s["proposal_lead_days"] > 0)

    def proposal_required(self) -> bool:
        return bool(self.s["requires_proposal_when_reductions"] and self.case.may_reduce_staff)

    def min_days(self) -> int:
        """RULE_MIN_PERIOD_SCOPE: the minimum period, like the proposal, applies when the change
        may lead to dismissals, lay-offs or reduced hours (DESIGN.md §2's colon covers both)."""
        if not self.case.may_reduce_staff:
            return 0
        days = int(self.s["min_negotiation_days"])
        if self.s["large_staff_extended_period_enabled"] and self.case.staff_affected >= self.s["large_staff_threshold"]:
            days = max(days, int(self.s["large_staff_min_negotiation_days"]))
        return days

    def round_meetings(self) -> list[Meeting]:
        """Item 1: the current negotiation round's meetings (held at or after its reopening)."""
        return [m for m in self.meetings if self.round_began is None or m.at >= self.round_began]

    def first_meeting_on(self) -> date | None:
        ms = self.round_meetings()
        return self.day(min(m.at for m in ms)) if ms else None

    def min_period_met_on(self) -> date | None:
        """RULE_DAY_ONE: the first meeting's date is day 1, so N days are met on first + N - 1."""
        first, n = self.first_meeting_on(), self.min_days()
        return first + timedelta(days=n - 1) if n and first else None

    def window_last_day(self) -> date | None:
        """Item 2: any end other than agreement opens the window (se-mbl): end date + N days."""
        if not self.s["central_negotiation_enabled"] or self.end is None or self.end[1] == "agreement":
            return None
        return self.day(self.end[0]) + timedelta(days=int(self.s["central_negotiation_window_days"]))

    def round_requests(self) -> list[Request]:
        """This closing round's requests (made at or after its end); a pending one always counts."""
        return [r for r in self.requests if r.pending or (self.end is not None and r.at >= self.end[0])]

    def pending(self) -> bool:
        return any(r.timely and r.pending for r in self.round_requests())

    def overridden(self) -> set[str]:
        if self.sw.overrides_per_round:
            return {code for code, rnd in self.overrides if rnd == self.round}
        return {code for code, _rnd in self.overrides}

    # ---------------------------------------------------------------- deadlines
    def deadlines(self) -> dict[str, date | None]:
        """Every applicable deadline of the current round: code -> date (None: not computable yet)."""
        out: dict[str, date | None] = {}
        if self.proposal_rule():
            out[EARLIEST_FIRST_MEETING] = (self.day(self.proposal_at) + timedelta(days=int(self.s["proposal_lead_days"]))
                                          if self.proposal_at else None)
        if self.min_days():
            met = self.min_period_met_on()
            out[MIN_NEGOTIATION] = met
            # RULE_EARLIEST_DECISION: the deadline "decision possible from" is the minimum period's;
            # the central-negotiation window is a deadline of its own, not folded into this one.
            out[EARLIEST_DECISION] = met + timedelta(days=1) if met else None
        last = self.window_last_day()
        if last is not None:
            out[CENTRAL_WINDOW] = last
            if self.pending() and self.decided_on is None:
                out[CENTRAL_PENDING] = None
        if self.decided_on is not None:
            out[EVALUATION_DUE] = add_months(self.decided_on, int(self.s["evaluation_due_months"]))
        return out

    def locked(self) -> bool:
        """The decision is locked now (window open and unused, or a timely request pending)."""
        return CENTRAL_PENDING in self.deadlines()

    # ---------------------------------------------------------------- gates
    def meeting_gate(self, at: datetime) -> Verdict:
        """fi-municipal with reductions: no meeting before proposal + lead days."""
        if not self.proposal_rule() or EARLIEST_FIRST_MEETING in self.overridden():
            return Verdict()
        if self.proposal_at is None:
            return Verdict(frozenset({EARLIEST_FIRST_MEETING}))
        earliest = self.day(self.proposal_at) + timedelta(days=int(self.s["proposal_lead_days"]))
        return Verdict(frozenset({EARLIEST_FIRST_MEETING}), earliest) if self.day(at) < earliest else Verdict()

    def complete_gate(self, stage: str) -> Verdict:
        """Why the active `stage` cannot be marked complete (content is always filled in here)."""
        reasons: set[str] = set()
        if stage == "early_information" and self.proposal_required() and self.proposal_at is None:
            reasons.add(PROPOSAL_MISSING)
        if stage == "effects":
            waived = False  # the generator never records a waiver
            if not self.risk_assessed:
                reasons.add(RISK_MISSING)
            elif not self.s["requires_risk_assessment_cosigned"] and not (self.risk_cosigned or waived):
                reasons.add(RISK_NOT_COSIGNED)
        if stage == "closing":
            reasons |= self._closing_reasons()
        return Verdict(frozenset(reasons))

    def _closing_reasons(self) -> set[str]:
        """DESIGN.md §2: end recorded, minimum period met, no central negotiation pending; se-mbl:
        the risk assessment co-signed; item 4: a negotiation held, minutes approved by both."""
        reasons: set[str] = set()
        if self.end is None:
            reasons.add(CLOSING_NOT_ENDED)
        met = self.min_period_met_on()
        # RULE_PERIOD_BY_END: the negotiation must have lasted the period: its end on or after the
        # day the period is met (a period that cannot be computed refuses too).
        if self.min_days() and (met is None or self.end is None or self.day(self.end[0]) < met):
            reasons.add(MIN_PERIOD_NOT_MET)
        if self.pending():
            reasons.add(CENTRAL_PENDING)
        if self.s["requires_risk_assessment_cosigned"] and not self.risk_cosigned:
            reasons.add(RISK_NOT_COSIGNED if self.risk_assessed else RISK_MISSING)
        # The profile says which of the two se-mbl asks for (data: `requires_negotiation_meeting`,
        # `minutes_approved_by_both`; fi-municipal asks for neither).
        if self.sw.negotiation_happened:
            ms = self.round_meetings()
            if self.s["requires_negotiation_meeting"] and not (
                    self.no_negotiation_reason or any(m.negotiation for m in ms)):
                reasons.add(NEGOTIATION_NOT_HELD)
            with_minutes = [m for m in ms if m.minutes != "none"]
            if self.s["minutes_approved_by_both"] and not self.no_negotiation_reason and (
                    not with_minutes or any(m.minutes != "approved" for m in with_minutes)):
                reasons.add(MINUTES_NOT_APPROVED)
        return reasons

    def decision_gate(self, on: date) -> dict[str, date | None]:
        """Item 3: every reason a decision on `on` is refused -> the date it lifts (None: no date:
        after the closing / the central negotiation ends), overrides applied."""
        if self.decided_on is not None:
            return {}
        out: dict[str, date | None] = {}
        over = self.overridden()
        if self.status["closing"] != "completed" and self.urgent_at is None:
            out[CLOSING_NOT_ENDED] = None
        elif self.urgent_at is None and self.end is not None and on < self.day(self.end[0]):
            # DESIGN.md §2: a decision is impossible before closing ends, so its date cannot lie
            # before the end of the negotiation either (a decision registered afterwards).
            out[CLOSING_NOT_ENDED] = self.day(self.end[0])
        if self.min_days():
            met = self.min_period_met_on()
            if met is None:
                out[EARLIEST_DECISION] = None
            elif on <= met:
                out[EARLIEST_DECISION] = met + timedelta(days=1)
        last = self.window_last_day()
        timely_made = any(r.timely for r in self.round_requests())
        if last is not None and on <= last and not timely_made:
            out[CENTRAL_WINDOW] = last + timedelta(days=1)
        # Item 3: each lock is passed only by its own override: an override of the open window
        # given before the union asked does not pass the pending request that came after it.
        if self.pending():
            out[CENTRAL_PENDING] = None
        return {code: when for code, when in out.items() if code not in over}

    def request_gate(self, at: datetime) -> tuple[Verdict, bool]:
        """A central-negotiation request: refused without a window or after a timely one; else
        accepted, timely or late (item 5: a late one is closed at once and never pending)."""
        last = self.window_last_day()
        if last is None or any(r.timely for r in self.round_requests()):
            return Verdict(frozenset({CENTRAL_WINDOW})), False
        return Verdict(), self.day(at) <= last

    def reopen_gate(self, stage: str) -> Verdict:
        return Verdict() if self.status[stage] == "completed" else Verdict(frozenset({"not_completed"}))

    def archive_gate(self) -> Verdict:
        reasons = set()
        if self.status["evaluation"] != "completed":
            reasons.add("evaluation")
        if self.urgent_at is not None and self.status["closing"] != "completed":
            reasons.add("urgent_negotiation")
        return Verdict(frozenset(reasons))

    def urgent_task_due(self) -> date | None:
        """Item 6: the mandatory negotiation after an urgent decision is a task due the profile's
        `urgent_negotiation_days` (default 14) after the day it was recorded, open until the
        negotiation is held and closed (the current round's closing stage completed)."""
        if not self.sw.urgent_task or self.urgent_at is None or self.status["closing"] == "completed":
            return None
        return self.day(self.urgent_at) + timedelta(days=int(self.s.get("urgent_negotiation_days", 14)))

    # ---------------------------------------------------------------- changes (after the gate)
    def _advance(self, after: str) -> None:
        i = STAGES.index(after) + 1
        while i < len(STAGES) and self.status[STAGES[i]] == "completed":
            i += 1
        if i < len(STAGES):
            if self.status[STAGES[i]] == "pending":
                self.status[STAGES[i]] = "active"
            self.current = STAGES[i]

    def deliver_proposal(self, at: datetime) -> None:
        self.proposal_at = at

    def hold_meeting(self, meeting: Meeting) -> None:
        self.meetings.append(meeting)

    def complete(self, stage: str) -> None:
        self.status[stage] = "completed"
        self._advance(stage)

    def end_negotiation(self, at: datetime, mode: str) -> None:
        self.end = (at, mode)

    def request_central(self, at: datetime, timely: bool) -> None:
        self.requests.append(Request(at, timely, pending=timely))

    def end_central(self) -> None:
        for r in self.requests:
            if r.pending:
                r.pending = False

    def override(self, code: str) -> None:
        self.overrides.append((code, self.round))

    def record_urgent(self, at: datetime) -> None:
        self.urgent_at = at

    def decide(self, on: date, codes: set[str]) -> None:
        for code in sorted(codes):
            self.override(code)
        self.decided_on = on
        self.status["decision"] = "completed"
        if self.current == "decision":
            self._advance("decision")

    def reopen(self, stage: str, at: datetime) -> None:
        """A new round from `stage`: it is active again, every later stage that had started goes
        back to pending; the earlier round stays frozen (the model keeps no copy)."""
        i = STAGES.index(stage)
        for code in STAGES[i + 1:]:
            if self.status[code] != "pending":
                self.status[code] = "pending"
        self.status[stage] = "active"
        self.current = stage
        self.round += 1
        # The reason no meeting was held is part of the closing record: a new round of the
        # closing starts from its text (the reopened stage keeps its text as a starting point),
        # a closing that goes back to pending starts empty.
        if stage in NEGOTIATION[:-1]:
            self.no_negotiation_reason = False
        if stage in NEGOTIATION:
            self.negotiation_round += 1
            self.round_began = at
            self.end = None
            if stage == "early_information":
                self.proposal_at = None
        if "decision" in STAGES[i:]:
            self.decided_on = None
