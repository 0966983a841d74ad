"""Demo data: meetings for the demo cases, one with approved minutes, one with disputed minutes,
and an upcoming meeting; every row through the real services (audited)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker.cases.models import Case
from tracker.demo import DEMO_PASSWORD
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.meetings import services
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
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour) + timedelta(days=days)


def _ensure_signatory(case: Case, user, party: str) -> bool:
    if user is None:
        return False
    member = steering.current_membership(case, user)
    if member is None:
        steering.add_member(case.responsible_hr, case, user, party=party, role=MemberRole.SIGNATORY)
        return True
    return member.role == MemberRole.SIGNATORY


def _schedule(case: Case, title: str, days: int, stages: list[str]):
    try:
        meeting = services.schedule_meeting(case.responsible_hr, case, title=title, starts_at=_at(days, 8),
                                            ends_at=_at(days, 10), place="Stadshuset, sammanträdesrum Ekan",
                                            stages=stages)
        db.session.commit()
        return meeting
    except DomainError:  # e.g. the procedure does not allow a meeting on that day yet
        db.session.rollback()
        return None


def load(context) -> None:
    hr_employer = context.users.get("decision@example.org")
    union = context.users.get("union@example.org")
    cases = sorted((c for c in context.cases.values() if isinstance(c, Case) and not c.is_archived),
                   key=lambda c: c.id)
    ready = []
    for case in cases:
        if _ensure_signatory(case, hr_employer, Party.EMPLOYER) and _ensure_signatory(case, union, Party.PERSONNEL):
            ready.append(case)
        db.session.commit()
    if not ready:
        return

    done: set[str] = set()
    for case in ready:
        hr = case.responsible_hr
        if "approved" not in done:
            meeting = _schedule(case, "Förhandlingsmöte: grunder och verkningar", -10, ["grounds", "effects"])
            if meeting is not None:
                services.record_attendance(hr, meeting, {a.id: True for a in meeting.attendees})
                version = services.save_minutes(hr, meeting, APPROVED_BODY)
                services.submit_minutes(hr, services.minutes_of(meeting))
                for signer in (hr_employer, union):
                    services.approve_minutes(signer, version, password=DEMO_PASSWORD, sha256=version.sha256)
                db.session.commit()
                _schedule(case, "Uppföljande möte", 7, ["alternatives"])
                done.add("approved")
                continue
        if "disputed" not in done:
            meeting = _schedule(case, "Avslutande förhandling", -2, ["closing"])
            if meeting is not None:
                first = services.save_minutes(hr, meeting, DISPUTED_BODY.replace("Parterna är", "Parterna var"))
                db.session.commit()
                version = services.save_minutes(hr, meeting, DISPUTED_BODY)
                services.submit_minutes(hr, services.minutes_of(meeting))
                services.approve_minutes(hr_employer, version, password=DEMO_PASSWORD, sha256=version.sha256)
                services.refuse_minutes(union, version, password=DEMO_PASSWORD, objection=OBJECTION,
                                        sha256=version.sha256)
                db.session.commit()
                assert first.number == 1
                done.add("disputed")
        if done == {"approved", "disputed"}:
            break
