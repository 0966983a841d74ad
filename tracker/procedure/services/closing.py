"""Closing the negotiation: its end, the central negotiation (se-mbl), an urgent decision."""
from __future__ import annotations

from datetime import datetime

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import EndMode, Stage, StageStatus
from tracker.procedure.models import CentralNegotiationRequest, StageRecord
from tracker.procedure.policy import (
    can_end_central_negotiation,
    can_record_urgent_decision,
    can_request_central_negotiation,
)
from tracker.procedure.profiles import get_profile
from tracker.procedure.queries import facts_for, position_party
from tracker.procedure.services._guards import (
    clean_text,
    ensure_runner,
    ensure_visible,
    raise_field_errors,
    record_of,
)
from tracker.procedure.urgent import urgent_task
from tracker.steering.models import Party
from tracker.timeutil import local_date, utcnow


def _end_errors(end_mode: str, ended_at: datetime | None, notice_by: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if end_mode not in set(EndMode):
        errors["end_mode"] = _("Välj hur förhandlingen avslutades.")
    if not isinstance(ended_at, datetime):
        errors["ended_at"] = _("Ange datum och tid.")
    elif ended_at > utcnow():
        errors["ended_at"] = _("Tiden kan inte ligga i framtiden.")
    if end_mode == EndMode.WRITTEN_NOTICE and notice_by not in set(Party):
        errors["notice_by"] = _("Ange vilken part som gav skriftligt besked.")
    return errors


def end_negotiation(actor: User, case: Case, *, end_mode: str, ended_at: datetime | None,
                    employer_position: str = "", personnel_position: str = "", notice_by: str | None = None
                    ) -> StageRecord:
    """Record how and when the negotiation ended, and each party's final position."""
    ensure_runner(actor, case)
    rec = record_of(case, Stage.CLOSING)
    if rec.status != StageStatus.ACTIVE:
        raise Conflict(_("Förhandlingen kan avslutas när skedet Avslutande pågår."))
    raise_field_errors(_end_errors(end_mode, ended_at, notice_by))
    assert ended_at is not None  # _end_errors refused a missing time
    mode = EndMode(end_mode)
    content = dict(rec.content or {})
    content["final_positions"] = {"employer": clean_text(employer_position, "employer_position"),
                                  "personnel": clean_text(personnel_position, "personnel_position")}
    if mode == EndMode.WRITTEN_NOTICE:
        content["notice_by"] = notice_by
    else:
        content.pop("notice_by", None)
    rec.content = content
    rec.end_mode = mode
    rec.negotiation_ended_at = ended_at
    db.session.flush()
    record(actor, "negotiation.ended", rec, {"end_mode": mode, "ended_at": ended_at.isoformat(),
                                             "notice_by": content.get("notice_by"),
                                             "final_positions": content["final_positions"]}, case_id=case.id)
    signals.negotiation_ended.send(case, actor=actor)
    return rec


def request_central_negotiation(actor: User, case: Case, *, note: str = "",
                                requested_at: datetime | None = None) -> CentralNegotiationRequest:
    """se-mbl: the personnel side asks for central negotiation after a local end without agreement.
    A request after the window is recorded as late and does not lock the decision."""
    ensure_visible(actor, case)
    if not can_request_central_negotiation(actor, case, party=position_party(actor, case)):
        raise PermissionDenied(_("Bara personalens företrädare i styrnings- och uppföljningsgruppen kan begära "
                                 "central förhandling."))
    if not get_profile(case.profile_code).settings.central_negotiation_enabled:
        raise Conflict(_("Förfarandeprofilen har ingen central förhandling."))
    facts = facts_for(case)
    window_end = dl.central_window_ends(facts)
    if window_end is None:
        raise Conflict(_("Central förhandling kan begäras först när den lokala förhandlingen avslutats utan "
                         "enighet (oenighet eller skriftligt besked)."))
    earlier = facts.central_requests  # this closing round's requests
    if any(r.pending and r.timely for r in earlier):
        raise Conflict(_("En begäran om central förhandling är redan registrerad."))
    if any(r.timely for r in earlier):
        raise Conflict(_("Central förhandling har redan begärts i rätt tid för den här förhandlingen."))
    requested_at = requested_at or utcnow()
    timely = local_date(requested_at) <= window_end
    req = CentralNegotiationRequest(case_id=case.id, requested_by_id=actor.id, requested_at=requested_at,
                                    timely=timely, window_ends_on=window_end, note=clean_text(note, "note"))
    if not timely:
        # A late request gives no right to central negotiation: recorded, and closed at once with the reason.
        req.ended_at = requested_at
        req.outcome = _("Begäran gjordes efter fristen (sista dag %(day)s) och avslutades direkt: den ger "
                        "ingen rätt till central förhandling och spärrar inte beslutet.", day=window_end.isoformat())
    db.session.add(req)
    db.session.flush()
    record(actor, "central_negotiation.requested", req, {"timely": timely, "window_ends_on": window_end.isoformat(),
                                                         "requested_at": requested_at.isoformat(),
                                                         "closed_as_late": not timely}, case_id=case.id)
    signals.central_negotiation_requested.send(req, actor=actor, case=case)
    return req


def end_central_negotiation(actor: User, case: Case, request_id: int, *, outcome: str,
                            ended_at: datetime | None = None) -> CentralNegotiationRequest:
    """HR records the end of the central negotiation; the decision lock lifts."""
    ensure_visible(actor, case)
    if not can_end_central_negotiation(actor, case):
        raise PermissionDenied(_("Bara ärendets HR-handläggare driver förfarandet."))
    req = db.session.get(CentralNegotiationRequest, request_id)
    if req is None or req.case_id != case.id:
        raise NotFound("request not found")
    if not req.is_pending:
        raise Conflict(_("Den centrala förhandlingen är redan avslutad."))
    if not req.timely:
        raise Conflict(_("En sen begäran avslutas direkt när den registreras."))
    outcome = clean_text(outcome, "outcome")
    if not outcome:
        raise ValidationFailed(_("Ange utfallet."), field="outcome")
    ended = ended_at or utcnow()
    req.ended_at = ended
    req.ended_by_id = actor.id
    req.outcome = outcome
    db.session.flush()
    record(actor, "central_negotiation.ended", req, {"outcome": outcome, "ended_at": ended.isoformat()},
           case_id=case.id)
    return req


def record_urgent_decision(actor: User, case: Case, reason: str) -> Case:
    """se-mbl (synnerliga skäl): the decision may precede negotiation; a negotiation becomes
    mandatory before archiving. HR or the decision maker records the cause; the mandatory
    negotiation opens as a task due `urgent_negotiation_days` later, and both parties are notified."""
    ensure_visible(actor, case)
    if not can_record_urgent_decision(actor, case):
        raise PermissionDenied(_("Bara HR eller beslutsfattaren kan registrera synnerliga skäl."))
    if not get_profile(case.profile_code).settings.allows_urgent_decision:
        raise Conflict(_("Förfarandeprofilen tillåter inte brådskande beslut."))
    if case.urgent_reason:
        raise Conflict(_("Synnerliga skäl är redan registrerade."))
    reason = clean_text(reason, "reason")
    if len(reason) < 10:
        raise ValidationFailed(_("Beskriv de synnerliga skälen (minst 10 tecken)."), field="reason")
    case.urgent_reason = reason
    case.urgent_recorded_at = utcnow()
    case.urgent_recorded_by_id = actor.id
    profile = get_profile(case.profile_code)
    task = urgent_task(local_date(case.urgent_recorded_at), profile.settings, closing_completed=False,
                       today=local_date(case.urgent_recorded_at))
    assert task is not None  # recorded just now
    db.session.flush()
    record(actor, "urgent_decision.recorded", case, {"reason": reason, "negotiation_due": task.due.isoformat()},
           case_id=case.id)
    signals.urgent_decision_recorded.send(case, actor=actor, due=task.due)
    return case
