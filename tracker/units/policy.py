"""Who keeps the unit register. Pure predicates: no Flask, no database."""
from __future__ import annotations

from tracker.auth.models import User
from tracker.auth.policy import can_manage_users


def can_manage_units(actor: User) -> bool:
    """Add, retire and reinstate units: the administrators, who keep the organisation's registers."""
    return can_manage_users(actor)
