"""The procedure's part of the case page: stages and their rounds, deadlines, gates, closing,
decision and evaluation, as plain data with the booleans of what the reader may do.

Built with a fixed number of queries whatever the number of rounds, positions or deadlines.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_edit_case, can_run_procedure
from tracker.procedure import deadlines as dl
from tracker.procedure import policy as pp
from tracker.procedure import queries as pq
from tracker.procedure.decision_panel import DecisionExtras, decision_extras
from tracker.procedure.labels import CONTENT_FIELD_LABELS, DEADLINE_LABELS, END_MODE_LABELS, PARTY_LABELS
from tracker.procedure.models import (
    CentralNegotiationRequest,
    DeadlineOverride,
    StageStatus,
)
from tracker.procedure.profiles import Profile, ProfileError, get_profile
from tracker.procedure.rounds import RoundView, round_history
from tracker.procedure.stage_rounds import StageRound
from tracker.procedure.stages import STAGES, Stage, stage_label

# Content fields per stage and their labels (the forms' labels, so page and form agree).
_CONTENT_FIELD_STAGES = ("early_information", "grounds", "effects", "alternatives", "closing", "evaluation")


@dataclass(frozen=True)
class StageView:
    """One stage as the page shows it: the current round, its frozen rounds, what may be done."""

    code: str
    number: int
    label: str
    record: StageRound
    frozen: tuple[StageRound, ...]
    is_current: bool
    gate_reasons: tuple[str, ...]
    may_edit_content: bool
    may_complete: bool
    may_position: bool
    may_reopen: bool

    @property
    def status(self) -> str:
        return str(self.record.status)

    @property
    def round(self) -> int:
        return self.record.round


@dataclass(frozen=True)
class NegotiationView:
    """Whether the negotiation happened in the current round, as the closing stage shows it."""

    meeting_required: bool
    minutes_required: bool
    held_meetings: int
    approved_minutes: int


@dataclass(frozen=True)
class ProcedurePanel:
    """What the procedure shows on the case page."""

    case: Case
    profile: Profile | None
    today: date
    stages: tuple[StageView, ...]
    deadlines: tuple[dl.Deadline, ...]
    next_deadline: dl.Deadline | None
    overrides: tuple[DeadlineOverride, ...]
    central_requests: tuple[CentralNegotiationRequest, ...]
    pending_request: CentralNegotiationRequest | None
    runner: bool
    can_edit_case: bool
    position_party: str | None
    may_end: bool
    may_request_central: bool
    may_end_central: bool
    may_urgent: bool
    can_decide: bool
    decision_blockers: tuple[tuple[str, str, date | None], ...]
    can_override: bool
    may_approve: bool
    may_archive: bool
    archive_reasons: tuple[str, ...]
    field_labels: dict[str, str]
    end_mode_labels: dict[str, str]
    party_labels: dict[str, str]
    deadline_labels: dict[str, str]
    negotiation: NegotiationView | None = None
    # Every round, oldest first, when the case has been reopened (else empty): frozen deadlines.
    rounds: tuple[RoundView, ...] = ()
    # The decision stage's extras: decision body, urgent negotiation task, material changes, statement.
    extras: DecisionExtras = field(default_factory=DecisionExtras)

    def stage(self, code: str) -> StageView:
        """The view of stage `code`."""
        return next(view for view in self.stages if view.code == code)

    def current_record(self, code: str) -> StageRound:
        """The current round of stage `code`."""
        return self.stage(code).record


def _profile(case: Case) -> Profile | None:
    try:
        return get_profile(case.profile_code)
    except ProfileError:
        return None


def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """The panel's words in the reader's language (translated once per page)."""
    return ({key: str(label) for key, label in CONTENT_FIELD_LABELS.items()},
            {str(k): str(v) for k, v in END_MODE_LABELS.items()},
            {key: str(label) for key, label in PARTY_LABELS.items()},
            {str(k): str(v) for k, v in DEADLINE_LABELS.items()})


def _stage_views(user: User, case: Case, current: Mapping[Stage, StageRound], frozen: dict[str, list[StageRound]],
                 runner: bool, may_position: bool, gate_reasons: dict[Stage, list[str]]) -> tuple[StageView, ...]:
    views = []
    reopen_allowed = pp.can_reopen(user, case)
    for number, code in enumerate(STAGES, start=1):
        rec = current[code]
        active = rec.status == StageStatus.ACTIVE and not case.is_archived
        reasons = tuple(gate_reasons.get(code, ())) if active else ()
        views.append(StageView(
            code=code, number=number, label=stage_label(code), record=rec, frozen=tuple(frozen[code]),
            is_current=code == case.current_stage, gate_reasons=reasons,
            may_edit_content=runner and active and code in _CONTENT_FIELD_STAGES,
            may_complete=runner and active and code not in ("decision", "evaluation"),
            may_position=may_position and rec.status != StageStatus.PENDING,
            may_reopen=reopen_allowed and rec.status == StageStatus.COMPLETED,
        ))
    return tuple(views)


def _may_request_central(user: User, case: Case, profile: Profile | None, facts: dl.Facts, party: str | None,
                         pending: CentralNegotiationRequest | None) -> bool:
    return bool(pp.can_request_central_negotiation(user, case, party=party)
                and profile is not None and profile.settings.central_negotiation_enabled
                and dl.central_window_ends(facts) is not None and pending is None)


def panel(user: User, case: Case, *, shown: Stage | None = None) -> ProcedurePanel:
    """The procedure panel of `case` as `user` may see and act on it, for a view that shows stage
    `shown` (None: every stage; the decision statement is built only where the decision stage is)."""
    rounds = pq.all_records(case)
    current = {Stage(r.stage_code): r for r in rounds if r.superseded_at is None}
    frozen: dict[str, list[StageRound]] = {code: [] for code in STAGES}
    for r in rounds:
        if r.superseded_at is not None:
            frozen[r.stage_code].append(r)
    overrides = pq.overrides_of(case)
    requests = pq.central_requests_of(case)
    gate_facts = pq.gate_facts(case, current, requests=requests, overrides=overrides, rounds=rounds)
    facts = gate_facts.deadlines
    today = pq.today()
    deadlines = dl.compute(facts, today)
    profile = _profile(case)
    runner = can_run_procedure(user, case)
    speaks_for = pq.position_party(user, case)
    may_position = pp.can_add_position(user, case, party=speaks_for)
    party = speaks_for if may_position else None
    pending = next((r for r in requests if r.is_pending and r.timely), None)  # a late one is never pending
    decision = current[Stage.DECISION]
    evaluation = current[Stage.EVALUATION]
    closing = current[Stage.CLOSING]
    decision_open = decision.status != StageStatus.COMPLETED
    may_register = pp.can_register_decision(user, case)
    can_decide = decision_open and may_register
    fields, end_modes, parties, deadline_names = _labels()

    return ProcedurePanel(
        case=case, profile=profile, today=today,
        stages=_stage_views(user, case, current, frozen, runner, may_position,
                            pq.gate_reasons(case, current, gate_facts)),
        deadlines=tuple(deadlines), next_deadline=dl.next_deadline(deadlines, today),
        overrides=tuple(overrides), central_requests=tuple(requests), pending_request=pending,
        runner=runner, can_edit_case=can_edit_case(user, case), position_party=party,
        may_end=runner and closing.status == StageStatus.ACTIVE,
        may_request_central=_may_request_central(user, case, profile, facts, speaks_for, pending),
        may_end_central=runner,
        may_urgent=(profile is not None and profile.settings.allows_urgent_decision and not case.urgent_reason
                    and decision_open and pp.can_record_urgent_decision(user, case)),
        can_decide=can_decide,
        decision_blockers=tuple(pq.decision_blockers(case)) if can_decide else (),
        can_override=pp.can_override(user, case),
        may_approve=(evaluation.status == StageStatus.ACTIVE
                     and pp.can_approve_evaluation(user, case, is_chair=pq.is_chair(user, case))),
        may_archive=runner and evaluation.status == StageStatus.COMPLETED and not case.is_archived,
        archive_reasons=tuple(pq.archive_reasons(case, current)) if runner else (),
        field_labels=fields, end_mode_labels=end_modes, party_labels=parties, deadline_labels=deadline_names,
        negotiation=NegotiationView(
            meeting_required=gate_facts.profile.settings.requires_negotiation_meeting,
            minutes_required=gate_facts.profile.settings.minutes_approved_by_both,
            held_meetings=gate_facts.held_meetings, approved_minutes=gate_facts.approved_minutes),
        rounds=tuple(round_history(case, rounds, requests=requests, overrides=overrides, current=deadlines))
        if any(r.superseded_at is not None for r in rounds) else (),
        extras=decision_extras(user, case, with_statement=shown in (None, Stage.DECISION)),
    )
