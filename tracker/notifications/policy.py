"""Who may see and mark a notification. Pure predicates: no Flask, no database."""
from __future__ import annotations

from tracker.auth.models import User
from tracker.notifications.models import Notification


def can_read_notification(user: User, notification: Notification) -> bool:
    """A notification is its recipient's alone: nobody else sees or marks it."""
    return user.is_authenticated and user.active and notification.user_id == user.id
