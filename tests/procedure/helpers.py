"""Walk a case through the procedure via the real services (tests only)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.steering.models import Party


def staff(factory, case, *, units=()):
    """An employer member (the HR officer) and a union + safety representative."""
    union = factory.user("union_rep")
    safety = factory.user("safety_rep")
    factory.member(case, case.responsible_hr, Party.EMPLOYER, role="chair")
    factory.member(case, union, Party.PERSONNEL, units=units)
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative", units=units)
    return union, safety


def complete_early_information(case, hr, *, proposal_at=None):
    ps.update_stage(hr, case, "early_information", information_given="Information om planerna",
                    information_to="Personal och företrädare", information_given_on=datetime.now(UTC).date(),
                    proposal_delivered_at=proposal_at if proposal_at else "keep")
    ps.complete_stage(hr, case, "early_information")
    db.session.flush()


def risk_cosigned(case, hr, safety, password):
    from tracker.risk import services as rs

    assessment = rs.create_assessment(hr, case, summary="Risk- och konsekvensanalys gjord med skyddsombudet")
    db.session.flush()
    rs.cosign(safety, assessment, password=password)
    db.session.flush()
    return assessment


NO_MEETING_REASON = "Facket avböjde förhandling skriftligen."


def record_no_meeting(case, hr, reason=NO_MEETING_REASON):
    """se-mbl: closing without a negotiation meeting needs the reason recorded."""
    ps.update_stage(hr, case, "closing", no_meeting_reason=reason)
    db.session.flush()


def negotiation_needed(case) -> bool:
    from tracker.procedure.profiles import get_profile

    rules = get_profile(case.profile_code).settings
    return rules.requires_negotiation_meeting or rules.minutes_approved_by_both


def hold_negotiation(factory, case, hr, *, when=None, stages=("grounds", "effects", "alternatives"),
                     approve=True):
    """A held negotiation meeting of the case (in the past) whose minutes both parties' signatories
    approve (a signatory of each party is added when the case has none). Returns the meeting."""
    from tracker.meetings import services as ms
    from tracker.meetings.queries import minutes_signatories

    when = when or datetime.now(UTC) - timedelta(hours=3)
    meeting = ms.schedule_meeting(hr, case, title="Förhandlingsmöte", starts_at=when,
                                  ends_at=when + timedelta(hours=1), place="Stadshuset", stages=list(stages))
    version = ms.save_minutes(hr, meeting, f"§ 1 Förhandling {meeting.id}")
    db.session.flush()
    if not approve:
        return meeting
    signing = minutes_signatories(case)
    signers = []
    for party in (Party.EMPLOYER, Party.PERSONNEL):
        members = signing.get(str(party)) or [factory.member(
            case, factory.user("hr_officer" if party == Party.EMPLOYER else "union_rep"), party, role="signatory")]
        signers.extend(m.user for m in members)
    ms.submit_minutes(hr, ms.minutes_of(meeting))
    for signer in signers:
        ms.approve_minutes(signer, version, password=factory.password, sha256=version.sha256)
    db.session.flush()
    return meeting


def walk_to(case, hr, stage, *, safety=None, password=None, ended_at=None, end_mode="agreement"):
    """From early information completed up to (not including) `stage` completed."""
    order = ["grounds", "effects", "alternatives", "closing"]
    for code in order:
        if code == stage:
            return
        if ps.current_records(case)[code].status == "completed":
            continue
        if code == "grounds":
            ps.update_stage(hr, case, "grounds", reasons="Budgetläget", documents_tabled="Budget 2027\nUtredning")
        elif code == "effects":
            ps.update_stage(hr, case, "effects", effects_staff="Färre tjänster")
            if safety is not None:
                risk_cosigned(case, hr, safety, password)
        elif code == "alternatives":
            ps.update_stage(hr, case, "alternatives", alternatives_considered="Besparing på annat håll")
        elif code == "closing":
            if negotiation_needed(case):
                record_no_meeting(case, hr)
            ps.end_negotiation(hr, case, end_mode=end_mode,
                               ended_at=ended_at or datetime.now(UTC) - timedelta(minutes=1),
                               employer_position="Genomför", personnel_position="Emot")
        ps.complete_stage(hr, case, code)
        db.session.flush()
