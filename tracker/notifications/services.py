"""Notifications: creating them (mailed after commit), marking them read or done, the digest
preference, deadline reminders.

Notifications are bookkeeping (not procedure state), so they are not audit events. They are
created inside the caller's transaction (signal receivers, `notify due`) and nothing here
commits: e-mail goes out only after the caller's unit of work commits (see `mail.py`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case, CaseDecisionMaker, CaseStatus
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.notifications.mail import mail_enabled, queue_mail
from tracker.notifications.models import MailState, Notification, NotificationKind, NotificationPreference
from tracker.notifications.policy import can_read_notification
from tracker.procedure import deadlines as engine
from tracker.procedure.queries import records_and_facts_for_cases
from tracker.procedure.todo import decision_possible, registers_decisions
from tracker.steering.models import SteeringMember
from tracker.tasks import app_path
from tracker.timeutil import local_date, utcnow

REMINDER_DAYS = 3


def case_path(case_id: int) -> str:
    """The case page's path."""
    return app_path("cases.detail", case_id=case_id)


def case_params(case: Case) -> dict[str, Any]:
    """The parameters every case notification carries: its diary number and title."""
    return {"case": case.diary_number, "title": case.title}


def digest_users(user_ids: Iterable[int]) -> set[int]:
    """Which of these users take a daily digest instead of one mail each (one query)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(ids), NotificationPreference.daily_digest.is_(True))).scalars())


def _mail_state(user: User) -> MailState:
    if not mail_enabled():
        return MailState.OFF
    return MailState.DIGEST if digest_users([user.id]) else MailState.PENDING


def _insert_once(values: dict[str, Any]) -> int | None:
    """Insert a notification unless its dedup key exists (even one committed meanwhile by a
    concurrent run): the new id, or None. No savepoint, so the caller's transaction is untouched."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(Notification).values(**values)
                 .on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Notification.id))
    return db.session.execute(statement).scalar_one_or_none()


def notify(user: User | None, kind: NotificationKind, params: dict[str, Any] | None = None, *,
           case: Case | None = None, case_id: int | None = None, url: str = "", dedup_key: str | None = None,
           task_key: str | None = None, mail: bool = True) -> Notification | None:
    """Add a notification for `user` in the current transaction, mailed after its commit
    (`mail=False`: left pending for the caller's `send_pending`; a digest reader's waits for the
    digest). It stores `kind` and `params`, never a sentence (see `labels.message`); with `case`
    the case's diary number and title join the parameters. `task_key` names the task it announces.

    With a `dedup_key` that already exists nothing is added and None is returned."""
    if user is None or not user.active:
        return None
    values: dict[str, Any] = {
        "user_id": user.id, "kind": NotificationKind(kind), "case_id": case.id if case is not None else case_id,
        "params": {**(case_params(case) if case is not None else {}), **(params or {})}, "url": url or "",
        "created_at": utcnow(), "dedup_key": dedup_key, "task_key": task_key, "mail_state": _mail_state(user)}
    if dedup_key is None:
        notification = Notification(**values)
        db.session.add(notification)
        db.session.flush()
    else:
        new_id = _insert_once(values)
        if new_id is None:
            return None
        notification = db.session.get_one(Notification, new_id)
    if mail and notification.mail_state == MailState.PENDING:
        queue_mail(notification.id)
    return notification


def notify_many(users: Iterable[User | None], kind: NotificationKind, params: dict[str, Any] | None = None, *,
                exclude: User | None = None, **kwargs: Any) -> list[Notification]:
    """The same notification for each distinct user except `exclude` (the actor)."""
    seen: set[int] = set()
    made = []
    for user in users:
        if user is None or user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        n = notify(user, kind, params, **kwargs)
        if n is not None:
            made.append(n)
    return made


def resolve_done(user: User, open_keys: Iterable[str]) -> int:
    """Mark done (and read) the user's notifications whose task is no longer on their to-do list
    (`open_keys`: `tracker.home.queries.todo_for(user).keys`); how many. Idempotent."""
    keys = list(open_keys)
    mine = (Notification.user_id == user.id, Notification.task_key.is_not(None), Notification.resolved_at.is_(None))
    # Usually nothing is done since the last look: a read finds that out, where an UPDATE of no row
    # would still be a write on every home page.
    waiting = db.session.execute(select(Notification.task_key).where(*mine).distinct()).scalars()
    if set(waiting) <= set(keys):
        return 0
    query = update(Notification).where(*mine)
    if keys:
        query = query.where(Notification.task_key.not_in(keys))
    now = utcnow()
    result = db.session.execute(query.values(resolved_at=now, read_at=func.coalesce(Notification.read_at, now)),
                                execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def set_daily_digest(actor: User, enabled: bool) -> NotificationPreference:
    """The user's own choice: one mail per notification, or one digest a day. Audited."""
    preference = db.session.get(NotificationPreference, actor.id)
    if preference is None:
        preference = NotificationPreference(user_id=actor.id, daily_digest=False)
        db.session.add(preference)
    changed = preference.daily_digest != bool(enabled)
    preference.daily_digest = bool(enabled)
    db.session.flush()
    if changed:
        record(actor, "notification_preference.changed", ("user", actor.id), {"daily_digest": bool(enabled)})
        if not enabled:
            # Whatever waited for the digest is mailed the ordinary way from now on.
            db.session.execute(update(Notification).where(
                Notification.user_id == actor.id, Notification.mail_state == MailState.DIGEST)
                .values(mail_state=MailState.PENDING), execution_options={"synchronize_session": False})
    return preference


def mark_read(user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (anyone else's is NotFound: never revealed)."""
    if not can_read_notification(user, notification):
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many there were."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- reminders (`flask notify due`) ----------------------------------------------------------

@dataclass
class DueResult:
    created: int = 0
    skipped: int = 0
    mailed: int = 0


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: NotificationKind
    params: dict[str, Any]
    case_id: int
    url: str
    dedup_key: str
    task_key: str | None


def _recipients(cases: list[Case]) -> dict[int, list[User]]:
    """Responsible HR officer and current steering members per case (one query for members)."""
    by_case: dict[int, list[User]] = {case.id: [case.responsible_hr] for case in cases}
    if cases:
        members = db.session.execute(
            select(SteeringMember).where(SteeringMember.case_id.in_([c.id for c in cases]),
                                         SteeringMember.left_at.is_(None))
        ).scalars().unique()
        for member in members:
            if all(u.id != member.user_id for u in by_case[member.case_id]):
                by_case[member.case_id].append(member.user)
    return by_case


def _reminder_for(case: Case, deadline: engine.Deadline,
                  today: date) -> tuple[NotificationKind, dict[str, Any], str] | None:
    """(kind, params, key prefix) when `deadline` calls for a reminder on `today`."""
    due = deadline.due
    if due is None or deadline.overridden:
        return None
    params: dict[str, Any] = {**case_params(case), "deadline": str(deadline.code), "due": due.isoformat()}
    if deadline.overdue and deadline.code.startswith("evaluation"):
        return NotificationKind.EVALUATION_OVERDUE, params, "overdue"
    days = (due - today).days
    if deadline.met is None and 0 <= days <= REMINDER_DAYS:
        return NotificationKind.DEADLINE_SOON, {**params, "days": days}, "deadline"
    return None


def decision_makers_of(case_ids: list[int]) -> dict[int, list[User]]:
    """The decision makers of each case: its assigned ones and its members who register decisions
    (two queries)."""
    out: dict[int, list[User]] = {i: [] for i in case_ids}
    if not case_ids:
        return out
    assigned = db.session.execute(
        select(CaseDecisionMaker.case_id, User).join(User, User.id == CaseDecisionMaker.user_id)
        .where(CaseDecisionMaker.case_id.in_(case_ids), CaseDecisionMaker.ended_at.is_(None)))
    members = db.session.execute(select(SteeringMember.case_id, User).join(User, User.id == SteeringMember.user_id)
                                 .where(SteeringMember.case_id.in_(case_ids), SteeringMember.left_at.is_(None)))
    for case_id, user in [*assigned, *members]:
        if registers_decisions(user) and all(u.id != user.id for u in out[case_id]):
            out[case_id].append(user)
    return out


def _decision_reminders(case: Case, users: list[User]) -> list[Reminder]:
    """The case's decision makers, once, when nothing blocks the decision any more."""
    return [Reminder(user, NotificationKind.DECISION_POSSIBLE, case_params(case), case.id,
                     app_path("cases.stage", "stage-actions", case_id=case.id, code="decision"),
                     f"decision:{user.id}:{case.id}", f"decision:{case.id}")
            for user in users if registers_decisions(user)]


def due_reminders(today: date | None = None) -> list[Reminder]:
    """Every reminder due on `today` (default: today in the organisation's time zone)."""
    today = today or local_date(utcnow())
    cases = list(db.session.execute(
        select(Case).where(Case.status != CaseStatus.ARCHIVED).order_by(Case.id)).scalars().unique())
    records, facts = records_and_facts_for_cases(cases)
    recipients = _recipients(cases)
    possible = [c for c in cases if decision_possible(c, records[c.id], facts[c.id], today)]
    deciders = decision_makers_of([c.id for c in possible])
    out = []
    for case in cases:
        if case.id in deciders:
            out.extend(_decision_reminders(case, deciders[case.id]))
        for deadline in engine.compute(facts[case.id], today):
            found = _reminder_for(case, deadline, today)
            if found is None:
                continue
            kind, params, prefix = found
            assert deadline.due is not None
            # The same key as the to-do list's deadline item: done once the deadline is met or passed.
            task = f"deadline:{case.id}:{deadline.code}:{deadline.due.isoformat()}"
            for user in recipients.get(case.id, []):
                key = f"{prefix}:{user.id}:{case.id}:{deadline.code}:{deadline.due.isoformat()}"
                out.append(Reminder(user, kind, params, case.id, app_path("cases.detail", "deadlines", case_id=case.id),
                                    key, task))
    return out


def notify_due(today: date | None = None) -> DueResult:
    """Add the day's reminders to the current transaction (the caller commits, then mails them
    with `send_pending`). Each carries a unique key, so running twice, or two runs at once,
    never reminds anyone twice."""
    result = DueResult()
    for r in due_reminders(today):
        made = notify(r.user, r.kind, r.params, case_id=r.case_id, url=r.url, dedup_key=r.dedup_key,
                      task_key=r.task_key, mail=False)
        if made is None:
            result.skipped += 1
        else:
            result.created += 1
    return result
