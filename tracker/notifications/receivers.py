"""Signal receivers: each event that gives someone a task becomes a notification for them,
inside the sender's transaction.

A notification stores its kind and parameters (never a sentence: each reader reads it in their
own language) and, when it announces a task, the task's key (`tracker.tasks.Task.key`), so it is
marked done once the task leaves the recipient's to-do list. They add rows and queue mail; they
never commit. Connected by `tracker.notifications.init_app`.

Stage changes no longer make a card each (issue 17): they create no task, 50-70 of them buried the
few that did, and the case page and the audit trail already show every stage's state. Only the
end of the negotiation that leaves the decision free tells the decision makers.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker import signals
from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.discussion.models import CounterProposal
from tracker.extensions import db
from tracker.meetings.models import Meeting, Minutes, MinutesSignature, MinutesVersion
from tracker.notifications.models import NotificationKind
from tracker.notifications.services import case_path, decision_makers_of, notify
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import Stage
from tracker.procedure.models import CentralNegotiationRequest
from tracker.procedure.queries import current_records, facts_for, today
from tracker.procedure.todo import decision_possible
from tracker.risk.models import RiskAssessment
from tracker.steering.models import Party, SteeringMember
from tracker.tasks import app_path


def _each(users: Iterable[User | None], actor: User | None) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or user.id in seen or (actor is not None and actor.id == user.id):
            continue
        seen.add(user.id)
        out.append(user)
    return out


def _owner(case: Case, actor: User | None) -> User | None:
    """The case's responsible HR officer, unless they did it themselves."""
    hr = case.responsible_hr
    return None if hr is None or (actor is not None and actor.id == hr.id) else hr


def _personnel(case: Case) -> list[User]:
    return [m.user for m in db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None),
                                     SteeringMember.party == Party.PERSONNEL).order_by(SteeringMember.id)
    ).scalars().unique()]


def on_member_added(member: SteeringMember, actor: User | None = None, case: Case | None = None,
                    **_kw: Any) -> None:
    """The new member learns of it (unless they added themselves)."""
    if case is None or member.user is None or (actor is not None and actor.id == member.user_id):
        return
    notify(member.user, NotificationKind.MEMBER_ADDED, {"role": str(member.role)}, case=case,
           url=case_path(case.id))


def on_minutes_awaiting_approval(version: MinutesVersion, actor: User | None = None, case: Case | None = None,
                                 signatories: Iterable[User] = (), **_kw: Any) -> None:
    """Each signatory, once per minutes version: done when they sign it or a new version replaces it."""
    if case is None:
        return
    minutes = db.session.get_one(Minutes, version.minutes_id)
    meeting = db.session.get_one(Meeting, minutes.meeting_id)
    for user in _each(signatories, None):
        notify(user, NotificationKind.MINUTES_AWAITING_APPROVAL, {"meeting": meeting.title, "n": version.number},
               case=case, url=app_path("meetings.detail", "minutes", meeting_id=meeting.id),
               dedup_key=f"minutes:{version.id}:{user.id}", task_key=f"minutes:{version.id}")


def on_minutes_refused(signature: MinutesSignature, actor: User | None = None, case: Case | None = None,
                       version: MinutesVersion | None = None, **_kw: Any) -> None:
    """The HR officer who owns the case: revise the minutes (done with the next version)."""
    if case is None or version is None:
        return
    minutes = db.session.get_one(Minutes, version.minutes_id)
    meeting = db.session.get_one(Meeting, minutes.meeting_id)
    notify(_owner(case, actor), NotificationKind.MINUTES_REFUSED,
           {"meeting": meeting.title, "n": version.number, "name": actor.name if actor else ""}, case=case,
           url=app_path("meetings.detail", "minutes", meeting_id=meeting.id), task_key=f"minutes_refused:{version.id}")


def on_counter_proposal_submitted(proposal: CounterProposal, actor: User | None = None, case: Case | None = None,
                                  **_kw: Any) -> None:
    """The HR officer who owns the case owes a reasoned answer."""
    if case is None:
        return
    notify(_owner(case, actor), NotificationKind.COUNTER_PROPOSAL_SUBMITTED,
           {"proposal": proposal.title, "name": actor.name if actor else ""}, case=case,
           url=app_path("discussion.stage", f"counter-proposal-{proposal.id}", case_id=case.id,
                        stage=proposal.stage_code),
           task_key=f"counter_proposal:{proposal.id}")


def on_central_negotiation_requested(request: CentralNegotiationRequest, actor: User | None = None,
                                     case: Case | None = None, **_kw: Any) -> None:
    """The HR officer who owns the case: a timely request locks the decision until its end is recorded."""
    if case is None:
        return
    notify(_owner(case, actor), NotificationKind.CENTRAL_NEGOTIATION_REQUESTED,
           {"name": actor.name if actor else "", "timely": request.timely}, case=case,
           url=app_path("cases.stage", "stage-actions", case_id=case.id, code="closing"),
           task_key=f"central:{request.id}" if request.timely else None)


def on_negotiation_ended(case: Case, actor: User | None = None, **_kw: Any) -> None:
    """An end without agreement opens the window: the personnel's representatives may ask for
    central negotiation until its last day."""
    facts = facts_for(case)
    end = dl.central_window_ends(facts)
    if end is None or not dl.window_unused(facts):
        return
    for user in _each(_personnel(case), actor):
        if not has_permission(user, Permission.CENTRAL_NEGOTIATION_REQUEST):
            continue
        key = f"central_window:{case.id}:{end.isoformat()}"
        notify(user, NotificationKind.CENTRAL_WINDOW_OPEN, {"due": end.isoformat()}, case=case,
               url=app_path("cases.stage", "stage-actions", case_id=case.id, code="closing"),
               dedup_key=f"{key}:{user.id}", task_key=key)


def on_stage_changed(case: Case, actor: User | None = None, stage: str | None = None, change: str | None = None,
                     **_kw: Any) -> None:
    """Not a card per stage change: only when the negotiation's end leaves nothing blocking the
    decision, its decision makers are told (once per case, the same key as `notify due` uses)."""
    if stage != Stage.CLOSING or change != "completed":
        return
    records = current_records(case)
    if not decision_possible(case, records, facts_for(case, records), today()):
        return
    for user in _each(decision_makers_of([case.id])[case.id], actor):
        notify(user, NotificationKind.DECISION_POSSIBLE, case=case,
               url=app_path("cases.stage", "stage-actions", case_id=case.id, code="decision"),
               dedup_key=f"decision:{user.id}:{case.id}", task_key=f"decision:{case.id}")


def on_risk_assessment_created(assessment: RiskAssessment, actor: User | None = None, case: Case | None = None,
                               **_kw: Any) -> None:
    """Each safety representative on the personnel side: the assessment waits for a co-signature."""
    if case is None:
        return
    for user in _each(_personnel(case), actor):
        if user.has_role(Role.SAFETY_REP) and has_permission(user, Permission.RISK_COSIGN):
            notify(user, NotificationKind.RISK_AWAITING_COSIGN, case=case,
                   url=app_path("risk.page", "cosign", case_id=case.id),
                   dedup_key=f"risk:{assessment.id}:{user.id}", task_key=f"risk:{assessment.id}")


def on_risk_assessment_cosigned(assessment: RiskAssessment, actor: User | None = None, case: Case | None = None,
                                **_kw: Any) -> None:
    """The HR officer who owns the case learns that the assessment is signed (no task)."""
    if case is None:
        return
    notify(_owner(case, actor), NotificationKind.RISK_COSIGNED, {"name": actor.name if actor else ""}, case=case,
           url=app_path("risk.page", case_id=case.id))


def on_urgent_decision_recorded(case: Case, actor: User | None = None, due: date | None = None,
                                **_kw: Any) -> None:
    """Both parties (the responsible HR officer and every current member), except whoever recorded it:
    the mandatory negotiation is now a task with a deadline."""
    members = db.session.execute(
        select(SteeringMember).where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
    ).scalars().unique().all()
    for user in _each([case.responsible_hr, *(m.user for m in members)], actor):
        # The negotiation is the responsible HR officer's task; for the others it is news.
        task_key = f"urgent:{case.id}" if user.id == case.responsible_hr_id else None
        notify(user, NotificationKind.URGENT_NEGOTIATION, {"due": due.isoformat() if due else None}, case=case,
               url=case_path(case.id), dedup_key=f"urgent:{case.id}:{user.id}", task_key=task_key)


def on_decision_maker_assigned(case: Case, actor: User | None = None, user: User | None = None,
                               **_kw: Any) -> None:
    """The assigned decision maker learns of it (unless they assigned themselves)."""
    if user is None or (actor is not None and actor.id == user.id):
        return
    notify(user, NotificationKind.DECISION_MAKER_ASSIGNED, case=case, url=case_path(case.id))


def connect() -> None:
    """Subscribe to the domain signals (idempotent: blinker keeps one connection per receiver)."""
    signals.member_added.connect(on_member_added, weak=False)
    signals.stage_changed.connect(on_stage_changed, weak=False)
    signals.minutes_awaiting_approval.connect(on_minutes_awaiting_approval, weak=False)
    signals.minutes_refused.connect(on_minutes_refused, weak=False)
    signals.counter_proposal_submitted.connect(on_counter_proposal_submitted, weak=False)
    signals.central_negotiation_requested.connect(on_central_negotiation_requested, weak=False)
    signals.negotiation_ended.connect(on_negotiation_ended, weak=False)
    signals.risk_assessment_created.connect(on_risk_assessment_created, weak=False)
    signals.risk_assessment_cosigned.connect(on_risk_assessment_cosigned, weak=False)
    signals.urgent_decision_recorded.connect(on_urgent_decision_recorded, weak=False)
    signals.decision_maker_assigned.connect(on_decision_maker_assigned, weak=False)
