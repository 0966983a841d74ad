"""Demo data: meetings for the demo cases, one with approved minutes, one with disputed minutes,
and an upcoming meeting; every row through the real services (audited)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.demo.context import DEMO_PASSWORD, DemoContext
from tracker.errors import DomainError
from tracker.meetings import services
from tracker.meetings.models import Meeting, Minutes
from tracker.steering import services as steering
from tracker.steering.models import MemberRole, Party

APPROVED_BODY = """§ 1 Mötet öppnas
Ordföranden hälsar välkommen och mötet förklaras öppnat.

§ 2 Grunder för förändringen
Arbetsgivaren redogör för budgetläget och planerna. Underlaget har skickats ut i förväg.

§ 3 Verkningar
Parterna går igenom risk- och konsekvensanalysen tillsammans med skyddsombudet.

§ 4 Mötet avslutas"""

DISPUTED_BODY = """§ 1 Mötet öppnas

§ 2 Avslutande förhandling
Arbetsgivaren förklarar förhandlingen avslutad. Parterna är överens om bemanningen under hösten.

§ 3 Mötet avslutas"""

OBJECTION = ("§ 2 stämmer inte: personalen var inte överens om bemanningen under hösten. "
             "Vi begär att vår ståndpunkt förs in i protokollet.")


def _at(days: int, hour: int) -> datetime:
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour) + timedelta(days=days)


def _ensure_signatory(case: Case, user: User | None, party: str) -> bool:
    if user is None:
        return False
    member = steering.current_membership(case, user)
    if member is None:
        steering.add_member(case.responsible_hr, case, user, party=party, role=MemberRole.SIGNATORY)
        return True
    return member.role == MemberRole.SIGNATORY


def _schedule(case: Case, title: str, days: int, stages: list[str]) -> Meeting | None:
    try:
        return services.schedule_meeting(case.responsible_hr, case, title=title, starts_at=_at(days, 8),
                                         ends_at=_at(days, 10), place="Stadshuset, sammanträdesrum Ekan",
                                         stages=stages)
    except DomainError:
        # E.g. the procedure does not allow a meeting on that day yet. schedule_meeting refuses
        # before it writes anything, so the step's unit of work carries on unharmed.
        return None


def _minutes(meeting: Meeting) -> Minutes:
    minutes = services.minutes_of(meeting)
    if minutes is None:
        raise RuntimeError(f"demo: meeting {meeting.id} has no minutes after saving them")
    return minutes


def _approved_minutes(case: Case, employer: User, union: User) -> bool:
    """A past meeting whose minutes both signatories approved, and the next meeting planned."""
    hr = case.responsible_hr
    meeting = _schedule(case, "Förhandlingsmöte: grunder och verkningar", -10, ["grounds", "effects"])
    if meeting is None:
        return False
    services.record_attendance(hr, meeting, {a.id: True for a in meeting.attendees})
    version = services.save_minutes(hr, meeting, APPROVED_BODY)
    services.submit_minutes(hr, _minutes(meeting))
    for signer in (employer, union):
        services.approve_minutes(signer, version, password=DEMO_PASSWORD, sha256=version.sha256)
    _schedule(case, "Uppföljande möte", 7, ["alternatives"])
    return True


def _disputed_minutes(case: Case, employer: User, union: User) -> bool:
    """Minutes in two versions: the employer approves, the union refuses with an objection."""
    hr = case.responsible_hr
    meeting = _schedule(case, "Avslutande förhandling", -2, ["closing"])
    if meeting is None:
        return False
    services.save_minutes(hr, meeting, DISPUTED_BODY.replace("Parterna är", "Parterna var"))
    version = services.save_minutes(hr, meeting, DISPUTED_BODY)
    services.submit_minutes(hr, _minutes(meeting))
    services.approve_minutes(employer, version, password=DEMO_PASSWORD, sha256=version.sha256)
    services.refuse_minutes(union, version, password=DEMO_PASSWORD, objection=OBJECTION, sha256=version.sha256)
    return True


def load(context: DemoContext) -> None:
    employer = context.user("decision@example.org")
    union = context.user("union@example.org")
    ready = [case for case in context.open_cases()
             if _ensure_signatory(case, employer, Party.EMPLOYER) and _ensure_signatory(case, union, Party.PERSONNEL)]
    approved = disputed = False
    for case in ready:
        if not approved:
            approved = _approved_minutes(case, employer, union)
            if approved:
                continue
        if not disputed:
            disputed = _disputed_minutes(case, employer, union)
        if approved and disputed:
            break
