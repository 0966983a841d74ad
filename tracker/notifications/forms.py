"""The notification list's filter and the digest choice."""
from __future__ import annotations

from wtforms import BooleanField

from tracker.i18n import lazy_gettext as _l
from tracker.web.forms import CsrfForm


class DigestForm(CsrfForm):
    """One mail a day with everything new, instead of one mail per notification."""

    daily_digest = BooleanField(_l("Skicka en sammanfattning per dag i stället för ett e-postmeddelande per avisering"))
