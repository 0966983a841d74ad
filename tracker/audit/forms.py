"""Forms of the audit pages: the GET filter and the "verify now" button."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, ValidationError

ACTION_RE = re.compile(r"^[a-z0-9_.]*$")


class AuditFilterForm(FlaskForm):
    """Filters in the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Aktör"), validators=[Optional(), Length(max=200)],
                        description=_l("Hela eller delar av namnet."))
    action = StringField(_l("Händelse"), validators=[Optional(), Length(max=80)],
                         description=_l("Händelsekod eller början av den, t.ex. case. eller document.downloaded."))
    date_from = DateField(_l("Från och med datum"), validators=[Optional()],
                          render_kw={"type": "date"})
    date_to = DateField(_l("Till och med datum"), validators=[Optional()],
                        render_kw={"type": "date"})

    def validate_action(self, field) -> None:
        if field.data and not ACTION_RE.match(field.data.strip()):
            raise ValidationError(_l("Händelsekoden får bara innehålla små bokstäver, siffror, punkt och understreck."))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Slutdatumet kan inte vara före startdatumet."))


class VerifyNowForm(FlaskForm):
    """Only the CSRF token: the auditor's "verify now" button."""
