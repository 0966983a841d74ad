"""The deadline engine: PURE functions. Profile settings and recorded dates in, deadlines out.

Calendar days in the organisation's time zone: callers pass local dates (see
tracker.procedure.facts.deadline_facts), this module never looks at a clock or the database.

Counting rules (S1): a proposal delivered on 2 March with a 5-day lead allows a first meeting
from 7 March (delivery day + 5). A 14-day minimum negotiation period starting with a first
meeting on 7 March covers 7..20 March (the first meeting day is day 1): it is met on 20 March,
and a decision is possible from 21 March (first meeting + 14).
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date as babel_format_date
from flask_babel import format_date

from tracker.i18n import gettext as _
from tracker.procedure.enums import DeadlineCode, DeadlineStatus, EndMode
from tracker.procedure.labels import deadline_status_label

# Codes of the deadlines; overrides name one of these.
EARLIEST_FIRST_MEETING = DeadlineCode.EARLIEST_FIRST_MEETING
MIN_NEGOTIATION = DeadlineCode.MIN_NEGOTIATION
EARLIEST_DECISION = DeadlineCode.EARLIEST_DECISION
CENTRAL_WINDOW = DeadlineCode.CENTRAL_WINDOW
CENTRAL_PENDING = DeadlineCode.CENTRAL_PENDING
EVALUATION_DUE = DeadlineCode.EVALUATION_DUE
CLOSING_NOT_ENDED = DeadlineCode.CLOSING_NOT_ENDED

# Deadline codes a decision maker may override (with a reason).
OVERRIDABLE = (EARLIEST_FIRST_MEETING, EARLIEST_DECISION, CENTRAL_WINDOW, CENTRAL_PENDING, CLOSING_NOT_ENDED)


@dataclass(frozen=True)
class CentralRequestFact:
    requested_on: date
    timely: bool
    pending: bool


@dataclass(frozen=True)
class Facts:
    """Everything the engine needs about one case (dates are local calendar dates)."""

    settings: Mapping[str, Any]
    may_reduce_staff: bool = False
    staff_affected: int = 0
    proposal_delivered_on: date | None = None
    first_meeting_on: date | None = None
    negotiation_ended_on: date | None = None
    end_mode: str | None = None
    central_requests: tuple[CentralRequestFact, ...] = ()
    decision_on: date | None = None
    evaluation_approved_on: date | None = None
    overridden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Deadline:
    code: DeadlineCode
    label: str
    due: date | None
    basis: str
    met: bool | None = None
    overdue: bool = False
    overridden: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    # Where it stands on the day it was computed for (see `status_of`); set by `compute`.
    status: DeadlineStatus = field(default=DeadlineStatus.AWAITING, compare=False)

    @property
    def status_label(self) -> str:
        """The status as words (never colour alone)."""
        return deadline_status_label(self.status)


def _d(value: date | None) -> str:
    if value is None:
        return "–"
    try:
        return format_date(value, "long")
    except Exception:  # outside an app context (pure use): in the source language
        return babel_format_date(value, "long", locale="sv")


day_text = _d  # a day as every page writes it in the reader's language ('20 mars 2026')


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def proposal_rule_applies(facts: Facts) -> bool:
    return bool(facts.may_reduce_staff and facts.settings.get("proposal_lead_days", 0) > 0)


def min_negotiation_days(facts: Facts) -> int:
    """The minimum negotiation period in days (0 = none) for this case."""
    s = facts.settings
    if not facts.may_reduce_staff:
        return 0
    days = int(s.get("min_negotiation_days", 0))
    if s.get("large_staff_extended_period_enabled") and facts.staff_affected >= int(s.get("large_staff_threshold", 10)):
        days = max(days, int(s.get("large_staff_min_negotiation_days", 0)))
    return days


def earliest_first_meeting(facts: Facts) -> date | None:
    """Proposal delivery + lead days, when the proposal rule applies and it was delivered."""
    if not proposal_rule_applies(facts) or facts.proposal_delivered_on is None:
        return None
    return facts.proposal_delivered_on + timedelta(days=int(facts.settings["proposal_lead_days"]))


def min_period_met_on(facts: Facts) -> date | None:
    days = min_negotiation_days(facts)
    if days <= 0 or facts.first_meeting_on is None:
        return None
    return facts.first_meeting_on + timedelta(days=days - 1)


def earliest_decision(facts: Facts) -> date | None:
    days = min_negotiation_days(facts)
    if days <= 0 or facts.first_meeting_on is None:
        return None
    return facts.first_meeting_on + timedelta(days=days)


def central_window_ends(facts: Facts) -> date | None:
    """Last day a timely central-negotiation request can be made (se-mbl): any end of the local
    negotiation other than agreement (disagreement, written notice by either party) opens it."""
    s = facts.settings
    if not s.get("central_negotiation_enabled") or facts.end_mode in (None, EndMode.AGREEMENT) \
            or facts.negotiation_ended_on is None:
        return None
    return facts.negotiation_ended_on + timedelta(days=int(s.get("central_negotiation_window_days", 0)))


def is_request_timely(facts: Facts, requested_on: date) -> bool:
    end = central_window_ends(facts)
    return end is not None and requested_on <= end


def central_negotiation_pending(facts: Facts) -> bool:
    """A timely request that has not ended locks the decision; a late one does not."""
    return any(r.timely and r.pending for r in facts.central_requests)


def window_unused(facts: Facts) -> bool:
    """No timely request has been made in the window (a late one does not use it)."""
    return not any(r.timely for r in facts.central_requests)


def decision_locks(facts: Facts, day: date) -> list[tuple[DeadlineCode, date | None]]:
    """The central-negotiation locks on a decision taken on `day`, not overridden: the window open
    and unused (possible the day after its last day), a timely request pending (no date: after the
    central negotiation ends). A registered decision is under no lock: the lock is on deciding."""
    if facts.decision_on is not None:
        return []
    locks: list[tuple[DeadlineCode, date | None]] = []
    window_end = central_window_ends(facts)
    if window_end is not None and day <= window_end and window_unused(facts) \
            and CENTRAL_WINDOW not in facts.overridden:
        locks.append((CENTRAL_WINDOW, window_end + timedelta(days=1)))
    # Each lock is passed only by its own override: overriding the open window (before any
    # request) does not pass a timely request made after it.
    if central_negotiation_pending(facts) and CENTRAL_PENDING not in facts.overridden:
        locks.append((CENTRAL_PENDING, None))
    return locks


def evaluation_due(facts: Facts) -> date | None:
    if facts.decision_on is None:
        return None
    return add_months(facts.decision_on, int(facts.settings.get("evaluation_due_months", 6)))


def compute(facts: Facts, today: date) -> list[Deadline]:
    """Every deadline that applies to the case, in procedure order, each with its basis."""
    s = facts.settings
    out: list[Deadline] = []

    if proposal_rule_applies(facts):
        lead = int(s["proposal_lead_days"])
        due = earliest_first_meeting(facts)
        if due is None:
            basis = _("Förhandlingsframställan ska lämnas minst %(days)d dagar före första mötet; "
                      "den är inte lämnad ännu.", days=lead)
            out.append(Deadline(EARLIEST_FIRST_MEETING, _("Tidigaste första möte"), None, basis,
                                overridden=EARLIEST_FIRST_MEETING in facts.overridden))
        else:
            basis = _("Förhandlingsframställan lämnad %(day)s + %(days)d dagar.",
                      day=_d(facts.proposal_delivered_on), days=lead)
            met = None if facts.first_meeting_on is None else facts.first_meeting_on >= due
            out.append(Deadline(EARLIEST_FIRST_MEETING, _("Tidigaste första möte"), due, basis, met,
                                overridden=EARLIEST_FIRST_MEETING in facts.overridden))

    days = min_negotiation_days(facts)
    if days > 0:
        met_on = min_period_met_on(facts)
        if met_on is None:
            basis = _("Minst %(days)d dagars förhandling från första mötet; inget möte hållet ännu.", days=days)
            out.append(Deadline(MIN_NEGOTIATION, _("Minsta förhandlingstid uppfylld"), None, basis))
            out.append(Deadline(EARLIEST_DECISION, _("Beslut möjligt från"), None, basis,
                                overridden=EARLIEST_DECISION in facts.overridden))
        else:
            basis = _("Första mötet %(day)s; minst %(days)d dagar (första mötesdagen räknas som dag 1).",
                      day=_d(facts.first_meeting_on), days=days)
            # Not reached yet is not "not met": the period cannot fail, it only runs.
            out.append(Deadline(MIN_NEGOTIATION, _("Minsta förhandlingstid uppfylld"), met_on, basis,
                                met=True if today >= met_on else None))
            decision_from = met_on + timedelta(days=1)  # = earliest_decision(facts)
            met = None if facts.decision_on is None else facts.decision_on >= decision_from
            out.append(Deadline(EARLIEST_DECISION, _("Beslut möjligt från"), decision_from,
                                _("Dagen efter att minsta förhandlingstid är uppfylld (%(day)s).", day=_d(met_on)),
                                met, overridden=EARLIEST_DECISION in facts.overridden))

    window_end = central_window_ends(facts)
    if window_end is not None:
        window_days = int(s.get("central_negotiation_window_days", 0))
        if facts.end_mode == EndMode.WRITTEN_NOTICE:
            basis = _("Lokal förhandling avslutad genom skriftligt besked %(day)s + %(days)d dagar för begäran om "
                      "central förhandling.", day=_d(facts.negotiation_ended_on), days=window_days)
        else:
            basis = _("Lokal förhandling avslutad i oenighet %(day)s + %(days)d dagar för begäran om central "
                      "förhandling.", day=_d(facts.negotiation_ended_on), days=window_days)
        requests = facts.central_requests
        met = None
        if requests:
            met = any(r.timely for r in requests)
        pending = central_negotiation_pending(facts)
        out.append(Deadline(CENTRAL_WINDOW, _("Sista dag att begära central förhandling"), window_end, basis, met,
                            overridden=CENTRAL_WINDOW in facts.overridden,
                            extra={"open": today <= window_end and not requests, "pending": pending,
                                   "late": any(not r.timely for r in requests)}))
        if pending and facts.decision_on is None:
            out.append(Deadline(CENTRAL_PENDING, _("Central förhandling pågår: beslut låst"), None,
                                _("Begäran i rätt tid; beslutet får inte fattas innan den centrala "
                                  "förhandlingen är avslutad."),
                                overridden=CENTRAL_PENDING in facts.overridden))

    due = evaluation_due(facts)
    if due is not None:
        months = int(s.get("evaluation_due_months", 6))
        approved = facts.evaluation_approved_on
        basis = _("Beslut %(day)s + %(months)d månader.", day=_d(facts.decision_on), months=months)
        out.append(Deadline(EVALUATION_DUE, _("Utvärdering senast"), due, basis,
                            met=None if approved is None else approved <= due,
                            overdue=approved is None and today > due))
    return [replace(d, status=status_of(d, today)) for d in out]


# Deadlines whose date is the first day something becomes allowed: once passed, they are met.
_FROM_DATES = (EARLIEST_FIRST_MEETING, MIN_NEGOTIATION, EARLIEST_DECISION)


def _window_status(d: Deadline) -> DeadlineStatus:
    if d.met is True:
        return DeadlineStatus.MET  # a timely request was made
    if d.extra.get("open"):
        return DeadlineStatus.LIFTED if d.overridden else DeadlineStatus.LOCKED
    # Closed without a timely request: a late one missed it; unused, the lock it set has lifted.
    return DeadlineStatus.MISSED if d.extra.get("late") else DeadlineStatus.LIFTED


def status_of(d: Deadline, today: date) -> DeadlineStatus:
    """The deadline's status on `today` (an organisation-local date): upcoming, due today, met,
    missed, locked (a central-negotiation lock in force), lifted (a lock over, or overridden),
    or awaiting (no date yet)."""
    if d.code == CENTRAL_PENDING:
        return DeadlineStatus.LIFTED if d.overridden else DeadlineStatus.LOCKED
    if d.code == CENTRAL_WINDOW:
        return _window_status(d)
    if d.overridden and d.met is not True:
        return DeadlineStatus.LIFTED
    if d.met is True:
        return DeadlineStatus.MET
    if d.met is False or d.overdue:
        return DeadlineStatus.MISSED
    if d.due is None:
        return DeadlineStatus.AWAITING
    if d.due > today:
        return DeadlineStatus.UPCOMING
    if d.due == today:
        return DeadlineStatus.DUE_TODAY
    return DeadlineStatus.MET if d.code in _FROM_DATES else DeadlineStatus.MISSED


def next_deadline(deadlines: Iterable[Deadline], today: date) -> Deadline | None:
    """The most pressing deadline: overdue first, else the nearest upcoming unmet one."""
    dated = [(d.due, d) for d in deadlines if d.due is not None and d.met is None and d.code != MIN_NEGOTIATION]
    overdue = [(due, d) for due, d in dated if d.overdue]
    if overdue:
        return min(overdue, key=lambda pair: pair[0])[1]
    upcoming = [(due, d) for due, d in dated if due >= today]
    return min(upcoming, key=lambda pair: pair[0])[1] if upcoming else None
