"""Reading the trail for the web pages: filtered, keyset-paginated, a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, bindparam, func, literal, null, select, type_coerce, union_all

from tracker.audit import policy
from tracker.audit.labels import kind_text
from tracker.audit.models import AuditEvent, AuditVerification
from tracker.audit.sentences import Names, meeting_ids, sentence, user_ids
from tracker.auth.labels import role_label
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.meetings.models import Meeting
from tracker.timeutil import local_date, org_tz

PAGE_SIZE = 50


@dataclass
class AuditFilters:
    """What the trail pages filter on (all optional); `case_id` limits the trail to one case."""

    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    case_id: int | None = None


@dataclass
class EventPage:
    """One page of events, newest first, with the cursors of its neighbours."""

    events: list[AuditEvent]
    newer_cursor: int | None  # `after=` for the previous (newer) page
    older_cursor: int | None  # `before=` for the next (older) page


def _local_midnight_utc(day: date) -> datetime | None:
    """The day's local midnight in UTC; None where it lies beyond datetime (0001-01-01, the day
    after 9999-12-31): such a bound excludes nothing, so the filter simply leaves it out."""
    try:
        return datetime.combine(day, time.min, tzinfo=org_tz()).astimezone(UTC)
    except OverflowError:
        return None


def _day_after(day: date) -> date | None:
    return None if day == date.max else day + timedelta(days=1)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(filters: AuditFilters) -> Select:
    """Events matching the filters (calendar days in the organisation's time zone)."""
    query = select(AuditEvent)
    if filters.case_id is not None:
        query = query.where(AuditEvent.case_id == filters.case_id)
    if filters.actor:
        pattern = f"%{_like_escape(filters.actor.strip().lower())}%"
        query = query.where(func.lower(AuditEvent.actor_name).like(pattern, escape="\\"))
    if filters.action:
        action = filters.action.strip()
        if action.endswith("."):
            query = query.where(AuditEvent.action.like(_like_escape(action) + "%", escape="\\"))
        else:
            query = query.where(
                (AuditEvent.action == action) | AuditEvent.action.like(_like_escape(action) + ".%", escape="\\"))
    start = _local_midnight_utc(filters.date_from) if filters.date_from else None
    if start is not None:
        query = query.where(AuditEvent.occurred_at >= start)
    day_after = _day_after(filters.date_to) if filters.date_to else None
    end = _local_midnight_utc(day_after) if day_after else None
    if end is not None:
        query = query.where(AuditEvent.occurred_at < end)
    return query


def event_page(filters: AuditFilters, *, before: int | None = None, after: int | None = None,
               size: int = PAGE_SIZE) -> EventPage:
    """One page, newest first; `before`/`after` are seq cursors (one query)."""
    query = filtered(filters)
    if after is not None:
        rows = list(db.session.execute(
            query.where(AuditEvent.seq > after).order_by(AuditEvent.seq.asc()).limit(size + 1)).scalars())
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return EventPage(rows, rows[0].seq if rows and more_newer else None, rows[-1].seq if rows else None)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    rows = list(db.session.execute(query.order_by(AuditEvent.seq.desc()).limit(size + 1)).scalars())
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].seq if rows and before is not None else None
    return EventPage(rows, newer, rows[-1].seq if rows and more_older else None)


@dataclass(frozen=True)
class EventLine:
    """One event as the trail shows it: the sentence, the actor's role in words ("" without one),
    and the raw event for auditors."""

    event: AuditEvent
    sentence: str
    role: str = ""


# Typed NULLs: a union's columns take their types (and result processing) from its first part.
# Built once (every audit page runs it): see tracker/procedure/facts.py.
_NAMES = union_all(
    select(literal("user").label("kind"), User.id.label("id"), User.name.label("name"),
           type_coerce(null(), Meeting.starts_at.type).label("starts_at"))
    .where(User.id.in_(bindparam("users", expanding=True))),
    select(literal("meeting").label("kind"), Meeting.id.label("id"), type_coerce(null(), User.name.type),
           Meeting.starts_at).where(Meeting.id.in_(bindparam("meetings", expanding=True))))


def names_for(events: list[AuditEvent]) -> Names:
    """The names of the people and the dates of the meetings the events refer to: one query,
    whatever the page."""
    ids = {"users": sorted(user_ids(events)), "meetings": sorted(meeting_ids(events))}
    rows = db.session.execute(_NAMES, ids).all()
    return Names(users={row.id: row.name for row in rows if row.kind == "user"},
                 meetings={row.id: local_date(row.starts_at) for row in rows if row.kind == "meeting"})


def event_lines(events: list[AuditEvent]) -> list[EventLine]:
    """The events as sentences in the reader's language, names instead of ids (one query)."""
    names = names_for(events)
    roles: dict[str, str] = {}  # each role's label looked up once per page

    def role_of(event: AuditEvent) -> str:
        if not event.actor_role:
            return ""
        if event.actor_role not in roles:
            roles[event.actor_role] = role_label(event.actor_role)
        return roles[event.actor_role]

    return [EventLine(e, sentence(e, names), role_of(e)) for e in events]


@dataclass(frozen=True)
class VerificationBadge:
    """The latest verification run as the badge shows it: `state` is "none", "ok" or "bad" (tampering found)."""

    state: str
    verified_at: datetime | None = None
    events_checked: int = 0
    kind_text: str = ""
    first_bad_seq: int | None = None


@dataclass(frozen=True)
class AuditPanel:
    """The case page's audit panel: the badge, the link to the case's trail, "verify now"."""

    case_id: int
    badge: VerificationBadge
    can_verify: bool


_LATEST_VERIFICATION = (select(AuditVerification)
                        .order_by(AuditVerification.verified_at.desc(), AuditVerification.id.desc()).limit(1))


def latest_verification() -> AuditVerification | None:
    """The most recent stored verification run (one query)."""
    return db.session.execute(_LATEST_VERIFICATION).scalar_one_or_none()


def verification_badge() -> VerificationBadge:
    """The badge of the latest verification run (one query)."""
    run = latest_verification()
    if run is None:
        return VerificationBadge("none")
    return VerificationBadge("ok" if run.ok else "bad", run.verified_at, run.events_checked,
                             kind_text(run.kind), run.first_bad_seq)


def panel(user: User, case: Case) -> AuditPanel:
    """The audit panel of `case` for `user` (one query)."""
    return AuditPanel(case_id=case.id, badge=verification_badge(), can_verify=policy.can_verify(user))
