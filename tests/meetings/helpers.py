"""Shared set-up for meeting and minutes tests: a case with both parties' signatories."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracker.extensions import db


@dataclass
class Setup:
    case: object
    hr: object
    employer_signatory: object
    union_signatory: object
    secretary: object
    member: object
    outsider: object


def signed_case(factory, *, profile: str = "se-mbl") -> Setup:
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile=profile)
    employer = factory.user("decision_maker", name="Daniel Ek")
    union = factory.user("union_rep", name="Ulla Nieminen")
    secretary = factory.user("union_rep", name="Sara Sekreterare")
    member = factory.user("safety_rep", name="Sami Järvinen")
    outsider = factory.user("union_rep", name="Olle Utanför")
    factory.member(case, employer, "employer", role="signatory")
    factory.member(case, union, "personnel", role="signatory")
    factory.member(case, secretary, "personnel", role="secretary")
    factory.member(case, member, "personnel")
    return Setup(case, hr, employer, union, secretary, member, outsider)


def at(days: int = 0, hour: int = 9) -> datetime:
    """A UTC instant `days` from today at `hour`:00."""
    base = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


def meeting(setup: Setup, *, days: int = -1, **fields):
    from tracker.meetings.services import schedule_meeting

    fields.setdefault("title", "Förhandlingsmöte")
    fields.setdefault("place", "Stadshuset, rum 3")
    fields.setdefault("stages", ["closing"])
    m = schedule_meeting(setup.hr, setup.case, starts_at=at(days), ends_at=at(days, 11), **fields)
    db.session.flush()
    return m
