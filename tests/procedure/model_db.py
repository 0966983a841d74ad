"""The database side of the agreement test: the same interface as `model_engine.PureEngine`, but
every change goes through the real services and every verdict through the real reads
(`deadlines_for`, `decision_blockers`, `reasons_closed`), so the facts come from stored records."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.procedure import reference_model as rm
from tests.procedure.clock import Clock
from tests.procedure.helpers import staff
from tests.procedure.model_engine import reason_code
from tracker.errors import DeadlineNotReached, DomainError
from tracker.extensions import db
from tracker.meetings import services as ms
from tracker.meetings.models import MinutesStatus
from tracker.meetings.queries import minutes_signatories
from tracker.meetings.services import schedule_meeting
from tracker.procedure import queries
from tracker.procedure import services as ps
from tracker.procedure.decision_panel import case_urgent_task
from tracker.procedure.enums import Stage
from tracker.risk import services as rs
from tracker.risk.models import RiskAssessment
from tracker.steering.models import Party

CONTENT: dict[str, dict[str, Any]] = {
    "early_information": {"information_given": "Information om planerna", "information_to": "Personalen",
                          "information_given_on": date(2026, 1, 1)},
    "grounds": {"reasons": "Budgetläget"},
    "effects": {"effects_staff": "Färre tjänster"},
    "alternatives": {"alternatives_considered": "Besparing på annat håll"},
}
REASON = "Skäl som beslutsfattaren skrev ned"


class DbEngine:
    def __init__(self, factory: Any, clock: Clock, case: rm.Case, start: datetime) -> None:
        self.clock, self.factory = clock, factory
        clock.set(start)
        self.hr = factory.user("hr_officer")
        self.case = factory.case(self.hr, profile=case.profile, may_reduce_staff=case.may_reduce_staff,
                                 staff_affected=case.staff_affected)
        self.union, self.safety = staff(factory, self.case)
        self.dm = factory.user("decision_maker")
        factory.member(self.case, self.dm, Party.EMPLOYER)
        # The minutes' signatories join now: the group takes no new members once the case is decided.
        signing = minutes_signatories(self.case)
        for party in (Party.EMPLOYER, Party.PERSONNEL):
            if not signing.get(str(party)):
                factory.member(self.case, factory.user("hr_officer" if party == Party.EMPLOYER else "union_rep"),
                               party, role="signatory")
        db.session.flush()
        self._records: dict[Stage, Any] | None = None
        self.meetings: list[Any] = []

    # ---------------------------------------------------------------- verdicts
    @property
    def current(self) -> Stage:
        return Stage(self.case.current_stage)

    @property
    def records(self) -> dict[Stage, Any]:
        """The current records, read once per state (every change below reads them again)."""
        if self._records is None:
            self._records = ps.current_records(self.case)
        return self._records

    def deadlines(self, today: date) -> dict[str, date | None]:
        assert ps.today() == today
        return {str(d.code): d.due for d in ps.deadlines_for(self.case)}

    def decided(self) -> bool:
        return self.records[Stage.DECISION].status == "completed"

    def decision_blockers(self, day: date) -> dict[str, date | None]:
        return {str(code): when for code, _reason, when in ps.decision_blockers(self.case, day)}

    def complete_reasons(self, stage: Stage) -> frozenset[str]:
        self._fill(stage)
        return frozenset(reason_code(r) for r in queries.reasons_closed(self.case, stage))

    def _fill(self, stage: Stage) -> None:
        if stage in CONTENT and self.records[stage].status == "active" and not self.records[stage].content:
            ps.update_stage(self.hr, self.case, stage, **CONTENT[stage])

    # ---------------------------------------------------------------- changes through the services
    def at(self, now: datetime) -> None:
        self._records = None
        self.clock.set(now)

    def deliver_proposal(self, at: datetime) -> None:
        self._records = None
        ps.update_stage(self.hr, self.case, "early_information", proposal_delivered_at=at)

    def try_meeting(self, at: datetime) -> tuple[bool, date | None]:
        self._records = None
        try:
            meeting = schedule_meeting(self.hr, self.case, title="Förhandling", starts_at=at,
                                       ends_at=at + timedelta(hours=1), place="Rådhuset",
                                       stages=["grounds", "effects", "alternatives"])
        except DeadlineNotReached as refused:
            return True, refused.earliest
        self.meetings.append(meeting)
        return False, None

    def record_risk(self, cosigned: bool) -> None:
        self._records = None
        assessment = db.session.query(RiskAssessment).filter_by(case_id=self.case.id).one_or_none()
        if assessment is None:
            assessment = rs.create_assessment(self.hr, self.case, summary="Risk- och konsekvensanalys")
        if cosigned and assessment.cosigned_at is None:
            rs.cosign(self.safety, assessment, password=self.factory.password)
        db.session.flush()

    def complete(self, stage: Stage) -> None:
        self._records = None
        ps.complete_stage(self.hr, self.case, stage)

    def end_negotiation(self, at: datetime, mode: str, by: str = "personnel") -> None:
        self._records = None
        rec = ps.end_negotiation(self.hr, self.case, end_mode=mode, ended_at=at, employer_position="Genomför",
                                 personnel_position="Emot", notice_by=by if mode == "written_notice" else None)
        # Item 2: a written notice records who gave it.
        assert (rec.content or {}).get("notice_by") == (by if mode == "written_notice" else None)

    def try_request(self, at: datetime) -> tuple[bool, bool]:
        self._records = None
        try:
            request = ps.request_central_negotiation(self.union, self.case, requested_at=at)
        except DomainError:
            return False, False
        # Item 5: a late request is closed at once, never pending.
        assert request.timely or not request.is_pending
        return True, bool(request.timely)

    def end_central(self, at: datetime) -> None:
        self._records = None
        for request in ps.central_requests_of(self.case):
            if request.is_pending:
                ps.end_central_negotiation(self.hr, self.case, request.id, outcome="Oenighet kvarstår", ended_at=at)

    def override(self, code: str) -> None:
        self._records = None
        ps.override_deadline(self.dm, self.case, code, REASON)

    def record_urgent(self, at: datetime) -> None:
        self._records = None
        ps.record_urgent_decision(self.hr, self.case, "Synnerliga skäl: akut läge i verksamheten")

    def decide(self, day: date, codes: list[str]) -> None:
        self._records = None
        ps.register_decision(self.dm, self.case, body="Kommunstyrelsen", decided_on=day, reference="§ 1",
                             override_reason=REASON if codes else None)

    def reopen(self, stage: Stage, at: datetime) -> None:
        self._records = None
        ps.reopen_stage(self.hr, self.case, stage, "Planen ändrades väsentligt")

    # ---------------------------------------------------------------- item 4: the negotiation happened
    def approve_minutes(self) -> None:
        """Minutes of the latest meeting, submitted and approved by a signatory of each party."""
        self._records = None
        meeting = self.meetings[-1]
        minutes = ms.minutes_of(meeting)
        if minutes is not None and minutes.status == MinutesStatus.APPROVED:
            return
        version = ms.save_minutes(self.hr, meeting, f"§ 1 Förhandling {meeting.id}")
        db.session.flush()
        signing = minutes_signatories(self.case)
        signers = []
        for party in (Party.EMPLOYER, Party.PERSONNEL):
            signers.extend(m.user for m in signing[str(party)])
        ms.submit_minutes(self.hr, ms.minutes_of(meeting))
        for signer in signers:
            ms.approve_minutes(signer, version, password=self.factory.password, sha256=version.sha256)
        db.session.flush()

    def record_no_negotiation(self) -> None:
        """The reason no negotiation meeting was held, through the closing stage's content."""
        self._records = None
        ps.update_stage(self.hr, self.case, "closing", no_meeting_reason="Facket avböjde att förhandla (brev).")

    def urgent_task_due(self, today: date) -> date | None:
        """Item 6: the open urgent-negotiation task's due date, as the case page shows it."""
        task = case_urgent_task(self.case)
        return task.due if task is not None and task.open else None
