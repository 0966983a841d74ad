"""Role × relation matrix of the notification predicate (pure: no app, no database), and the
service asking the same question."""
from __future__ import annotations

import pytest

from tracker.auth.models import Role, User, UserRole
from tracker.notifications.models import Notification, NotificationKind
from tracker.notifications.policy import can_read_notification


def person(role: Role, ident: int, active: bool = True) -> User:
    return User(id=ident, email=f"u{ident}@example.org", name="U", active=active, role_rows=[UserRole(role=role)])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("relation, expected", [("recipient", True), ("someone else", False)])
def test_only_the_recipient_reads_a_notification(role, relation, expected):
    user = person(role, ident=1)
    recipient_id = user.id if relation == "recipient" else 2
    notification = Notification(user_id=recipient_id, kind=NotificationKind.MEMBER_ADDED, params={})
    assert can_read_notification(user, notification) is expected


@pytest.mark.parametrize("role", list(Role))
def test_an_inactive_recipient_reads_nothing(role):
    user = person(role, ident=1, active=False)
    notification = Notification(user_id=user.id, kind=NotificationKind.MEMBER_ADDED, params={})
    assert can_read_notification(user, notification) is False


def test_the_service_refuses_someone_elses_notification_as_not_found(app, factory):
    from tracker.errors import NotFound
    from tracker.extensions import db
    from tracker.notifications import services

    owner, other = factory.user("union_rep"), factory.user("union_rep")
    notification = services.notify(owner, NotificationKind.MEMBER_ADDED, {"case": "ÄR-1", "title": "Kök"})
    assert notification is not None
    with pytest.raises(NotFound):
        services.mark_read(other, notification)
    assert notification.read_at is None
    assert services.mark_read(owner, notification).read_at is not None
    db.session.rollback()
