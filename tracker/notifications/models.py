"""In-app notifications and their e-mail delivery state (bookkeeping: not audited)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class NotificationKind(StrEnum):
    """The code of a notification; its sentence is `labels.message(kind, params)`, rendered in the
    reader's language when shown or mailed."""

    MEMBER_ADDED = "member_added"
    # No longer made (issue 17): kept so that older rows still read.
    STAGE_CHANGED = "stage_changed"
    MINUTES_AWAITING_APPROVAL = "minutes_awaiting_approval"
    MINUTES_REFUSED = "minutes_refused"
    COUNTER_PROPOSAL_SUBMITTED = "counter_proposal_submitted"
    CENTRAL_NEGOTIATION_REQUESTED = "central_negotiation_requested"
    CENTRAL_WINDOW_OPEN = "central_window_open"
    DECISION_POSSIBLE = "decision_possible"
    RISK_AWAITING_COSIGN = "risk_awaiting_cosign"
    RISK_COSIGNED = "risk_cosigned"
    DEADLINE_SOON = "deadline_soon"
    EVALUATION_OVERDUE = "evaluation_overdue"
    URGENT_NEGOTIATION = "urgent_negotiation"  # an urgent decision opened the mandatory negotiation
    DECISION_MAKER_ASSIGNED = "decision_maker_assigned"
    ROLE_GRANTED = "role_granted"  # a content role given to an account (separation of duties)
    WITNESS_PROBLEM = "witness_problem"  # a witness refused the audit log's checkpoint or was unreachable


class MailState(StrEnum):
    PENDING = "pending"   # to be sent (or retried by `notify due` / `notify send`)
    SENDING = "sending"   # claimed by one sender
    SENT = "sent"
    OFF = "off"           # mail was not configured when the notification was made
    FAILED = "failed"     # gave up after MAX_MAIL_ATTEMPTS
    DIGEST = "digest"     # the recipient takes a daily digest: mailed by `flask notifications digest`


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(StrEnumType(NotificationKind, 40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # The words' parameters (case, title, meeting, version...): never text in one language.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A path inside the application (e.g. /meetings/3), never an external address.
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reminders carry a key (user + case + deadline + due date); unique, so `notify due` can run
    # any number of times, even concurrently, without notifying (or mailing) twice.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The task this notification announces (`tracker.tasks.Task.key`); once that task is no
    # longer on the recipient's to-do list the notification is done (`resolved_at`, and read).
    task_key: Mapped[str | None] = mapped_column(String(200), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mail_state: Mapped[MailState] = mapped_column(StrEnumType(MailState, 20), default=MailState.OFF)
    mail_attempts: Mapped[int] = mapped_column(default=0)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_read(self) -> bool:
        """True once the recipient has marked it read."""
        return self.read_at is not None

    @property
    def is_done(self) -> bool:
        """True once the task it announced is done or superseded."""
        return self.resolved_at is not None


class NotificationPreference(Model):
    """How a user wants their notification mail: one mail each (default) or a daily digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(default=False)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
