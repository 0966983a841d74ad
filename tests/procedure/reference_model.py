"""An independent reference model of DESIGN.md §2's procedure rules (tests only).

Written from the rules (DESIGN.md §2, issue #14 items 1-5, the KYNK directive and the two shipped
profiles), not from `tracker.procedure`: it imports nothing from the tracker but reads the profile
JSON files as data. The property test in `test_model_agreement.py` feeds the same random history
to this model and to the engine and requires both to give the same verdict on every deadline and
gate.

A history is a list of events in time order, each with an aware UTC datetime. Dates that the law
counts in days are the organisation-local calendar dates of those instants, so an event at 23:30
UTC in summer is already the next day in Stockholm and Helsinki.

Where the rules leave a choice open, `Interpretation` names the choice; the values below are the
ones the engine was found to take (see the report in the module docstring of the test).
"""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PROFILE_DIR = Path(__file__).resolve().parents[2] / "tracker" / "procedure" / "profiles"

STAGES = ("early_information", "grounds", "effects", "alternatives", "closing", "decision", "evaluation")
NEGOTIATION_STAGES = frozenset({"grounds", "effects", "alternatives"})

# Deadline and lock codes (the same strings as the engine's DeadlineCode, written out here).
EARLIEST_FIRST_MEETING = "earliest_first_meeting"
MIN_NEGOTIATION = "min_negotiation_period"
EARLIEST_DECISION = "earliest_decision"
CENTRAL_WINDOW = "central_negotiation_window"
CENTRAL_PENDING = "central_negotiation_pending"
EVALUATION_DUE = "evaluation_due"
CLOSING_NOT_ENDED = "closing_not_ended"
# Gates of the model's own (no date): what else must hold before closing / the decision.
MINUTES_APPROVED = "minutes_approved_by_both"
RISK_COSIGNED = "risk_assessment_cosigned"
NEGOTIATION_HELD = "negotiation_held"
PROPOSAL_DELIVERED = "proposal_delivered"


def load_settings(profile: str) -> dict[str, Any]:
    """The profile's settings with the schema's defaults filled in (read as data)."""
    schema = json.loads((PROFILE_DIR / "profile.schema.json").read_text(encoding="utf-8"))
    defaults = {k: v["default"] for k, v in schema["properties"]["settings"]["properties"].items()}
    data = json.loads((PROFILE_DIR / f"{profile}.json").read_text(encoding="utf-8"))
    return {**defaults, **data.get("settings", {})}


# ---------------------------------------------------------------- switches for unbuilt rules
@dataclass(frozen=True)
class Switches:
    """Rules of issue #14 that the engine may not implement yet. A switch that is off makes the
    model follow the engine's current behaviour for that rule; turn it on when the engine has it.
    """

    # Item 4: in se-mbl closing requires a held negotiation meeting covering the stages or a
    # recorded reason.
    negotiation_held_required: bool = False
    # Item 4: "minutes approved by both" holds only when minutes exist (or not requested).
    minutes_must_exist: bool = True
    # Item 6: an urgent decision opens a negotiation task with a deadline (default 14 days).
    urgent_task: bool = False


@dataclass(frozen=True)
class Interpretation:
    """Choices the rules leave open, named so the agreement test states what it assumes."""

    # The minimum negotiation period counts the first meeting's date as day 1, so N days are met
    # at the end of day first + N - 1 and a decision is possible on first + N ("at least N days
    # from the first meeting").
    min_period_met_offset: int = 0  # added to first + N
    # The central-negotiation window's last day is end + window_days; the decision is possible
    # the day after.
    window_last_day_offset: int = 0
    # The first meeting that starts the period: the earliest held meeting of the round.
    first_meeting_needs_negotiation_stage: bool = False


# ---------------------------------------------------------------- the history
@dataclass(frozen=True)
class Event:
    at: datetime  # aware, UTC
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    profile: str
    tz: str
    may_reduce_staff: bool = False
    staff_affected: int = 0
    settings_override: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        return {**load_settings(self.profile), **self.settings_override}


# Event kinds and their data:
#   proposal          {}                                 written negotiation proposal delivered
#   meeting           {"stages": frozenset, "held": bool, "minutes": "none"|"draft"|"approved"}
#   risk              {"cosigned": bool, "waived": bool}  risk assessment recorded
#   complete          {"stage": str}                     HR marks a stage complete
#   close             {"mode": str, "by": str|None}      end of negotiations
#   no_negotiation    {}                                 reason recorded: union declined
#   central_request   {}                                 union asks for central negotiation
#   central_end       {}                                 central negotiation ended
#   reopen            {"stage": str}                     a new round from that stage
#   override          {"code": str}                      decision maker's audited override
#   urgent            {}                                 urgent decision with a reason
#   decide            {}                                 decision registered


@dataclass
class Round:
    number: int
    started_at: datetime | None
    from_stage: str = "early_information"
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """What the model says at one instant."""

    deadlines: dict[str, date | None]   # applicable dated deadlines (None: no date yet)
    locks: frozenset[str]               # undated blocks in force
    decision_blockers: frozenset[str]   # why a decision is refused now (overrides applied)
    closing_blockers: frozenset[str]    # why the closing stage cannot be completed now
    rounds: tuple[dict[str, date | None], ...]  # every round's deadlines, earlier ones frozen
    decided: bool
    urgent_due: date | None
    late_requests: int


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def split_rounds(events: list[Event]) -> list[Round]:
    rounds = [Round(1, None)]
    for ev in events:
        if ev.kind == "reopen":
            rounds.append(Round(len(rounds) + 1, ev.at, ev.data["stage"]))
        else:
            rounds[-1].events.append(ev)
    return rounds


class Model:
    def __init__(self, case: Case, switches: Switches | None = None,
                 interpretation: Interpretation | None = None) -> None:
        self.case = case
        self.s = case.settings()
        self.sw = switches or Switches()
        self.it = interpretation or Interpretation()

    # ---- pieces of one round
    def _d(self, at: datetime) -> date:
        return local_date(at, self.case.tz)

    def proposal_required(self) -> bool:
        return bool(self.s["requires_proposal_when_reductions"] and self.case.may_reduce_staff)

    def min_days(self) -> int:
        s = self.s
        if (s["large_staff_extended_period_enabled"] and self.case.may_reduce_staff
                and self.case.staff_affected >= s["large_staff_threshold"]):
            return max(s["min_negotiation_days"], s["large_staff_min_negotiation_days"])
        return int(s["min_negotiation_days"])

    def central_enabled(self) -> bool:
        return bool(self.s["central_negotiation_enabled"])

    @staticmethod
    def _first(rnd: Round, kind: str) -> Event | None:
        return next((e for e in rnd.events if e.kind == kind), None)

    def _first_meeting(self, rnd: Round) -> Event | None:
        held = [e for e in rnd.events if e.kind == "meeting" and e.data.get("held", True)
                and (not self.it.first_meeting_needs_negotiation_stage
                     or e.data.get("stages", frozenset()) & NEGOTIATION_STAGES)]
        return min(held, key=lambda e: e.at, default=None)

    def _end(self, rnd: Round) -> Event | None:
        return self._first(rnd, "close")

    def round_deadlines(self, rnd: Round, decided_on: date | None) -> dict[str, date | None]:
        out: dict[str, date | None] = {}
        proposal, first, end = self._first(rnd, "proposal"), self._first_meeting(rnd), self._end(rnd)
        if self.proposal_required() and self.s["proposal_lead_days"] > 0:
            out[EARLIEST_FIRST_MEETING] = (self._d(proposal.at) + timedelta(days=self.s["proposal_lead_days"])
                                          if proposal else None)
        n = self.min_days()
        if n > 0:
            out[MIN_NEGOTIATION] = (self._d(first.at) + timedelta(days=n + self.it.min_period_met_offset)
                                    if first else None)
        window_open_until: date | None = None
        if self.central_enabled() and end is not None and end.data["mode"] != "agreement":
            window_open_until = self._d(end.at) + timedelta(
                days=self.s["central_negotiation_window_days"] + self.it.window_last_day_offset)
            out[CENTRAL_WINDOW] = window_open_until
        # Earliest decision: the latest of the dated conditions, when all are known.
        parts: list[date | None] = []
        if MIN_NEGOTIATION in out:
            parts.append(out[MIN_NEGOTIATION])
        if end is None:
            parts.append(None)
        else:
            parts.append(self._d(end.at))
        if window_open_until is not None:
            parts.append(window_open_until + timedelta(days=1))
        out[EARLIEST_DECISION] = None if any(p is None for p in parts) else max(p for p in parts if p)
        if decided_on is not None:
            out[EVALUATION_DUE] = add_months(decided_on, int(self.s["evaluation_due_months"]))
        return out

    # ---- the verdict
    def verdict(self, events: list[Event], now: datetime) -> Verdict:  # noqa: C901 - a rulebook
        events = [e for e in events if e.at <= now]
        today = self._d(now)
        rounds = split_rounds(events)
        cur = rounds[-1]
        decide = next((e for e in events if e.kind in ("decide", "urgent")), None)
        decided_on = self._d(decide.at) if decide else None
        per_round = tuple(self.round_deadlines(r, decided_on if r is cur else None) for r in rounds)
        dl = dict(per_round[-1])
        overrides = {e.data["code"] for e in cur.events if e.kind == "override"}

        end = self._end(cur)
        locks: set[str] = set()
        late = 0
        pending = False
        if end is not None and CENTRAL_WINDOW in dl:
            last = dl[CENTRAL_WINDOW]
            assert last is not None
            for e in cur.events:
                if e.at < end.at:
                    continue
                if e.kind == "central_request":
                    if self._d(e.at) <= last and not pending:
                        pending = True
                    elif self._d(e.at) > last:
                        late += 1
                elif e.kind == "central_end" and pending:
                    pending = False
        requested = any(e.kind == "central_request" and end is not None and e.at >= end.at
                        and CENTRAL_WINDOW in dl and self._d(e.at) <= (dl[CENTRAL_WINDOW] or today)
                        for e in cur.events)
        if pending:
            locks.add(CENTRAL_PENDING)
        if end is None:
            locks.add(CLOSING_NOT_ENDED)

        closing: set[str] = set()
        if end is None:
            closing.add(CLOSING_NOT_ENDED)
        if self.s["requires_risk_assessment_cosigned"] and not self._risk_ok(cur):
            closing.add(RISK_COSIGNED)
        if self.sw.negotiation_held_required and self.central_enabled() and not self._negotiated(cur):
            closing.add(NEGOTIATION_HELD)

        blockers: set[str] = set()
        if end is None:
            blockers.add(CLOSING_NOT_ENDED)
        mn = dl.get(MIN_NEGOTIATION, date.min)
        if MIN_NEGOTIATION in dl and (mn is None or today < mn):
            blockers.add(MIN_NEGOTIATION)
        if self.proposal_required() and self._first(cur, "proposal") is None and cur.from_stage == "early_information":
            blockers.add(PROPOSAL_DELIVERED)
        if CENTRAL_WINDOW in dl and not requested and today <= (dl[CENTRAL_WINDOW] or date.max):
            blockers.add(CENTRAL_WINDOW)
        if pending:
            blockers.add(CENTRAL_PENDING)
        if self.s["minutes_approved_by_both"] and not self._minutes_ok(cur):
            blockers.add(MINUTES_APPROVED)
        blockers -= overrides
        urgent_due = None
        if self.sw.urgent_task and any(e.kind == "urgent" for e in events):
            ue = next(e for e in events if e.kind == "urgent")
            urgent_due = self._d(ue.at) + timedelta(days=14)
        return Verdict(dl, frozenset(locks), frozenset(blockers), frozenset(closing), per_round,
                       decide is not None, urgent_due, late)

    def _risk_ok(self, rnd: Round) -> bool:
        risk = [e for e in rnd.events if e.kind == "risk"]
        return any(e.data.get("cosigned") or (e.data.get("waived") and self.s["allows_risk_assessment_waiver"])
                   for e in risk)

    def _negotiated(self, rnd: Round) -> bool:
        if any(e.kind == "no_negotiation" for e in rnd.events):
            return True
        return any(e.kind == "meeting" and e.data.get("held", True)
                   and e.data.get("stages", frozenset()) & NEGOTIATION_STAGES for e in rnd.events)

    def _minutes_ok(self, rnd: Round) -> bool:
        minutes = [e.data.get("minutes", "none") for e in rnd.events if e.kind == "meeting"]
        with_minutes = [m for m in minutes if m != "none"]
        if not with_minutes:
            return not self.sw.minutes_must_exist
        return all(m == "approved" for m in with_minutes)


def with_interpretation(model: Model, **kw: Any) -> Model:
    return Model(model.case, model.sw, replace(model.it, **kw))
