"""Forms of the audit pages: the GET filter and the "verify now" button."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField
from wtforms.validators import Length, Optional, ValidationError

from tracker.audit.queries import AuditPanel
from tracker.web.forms import CsrfForm

ACTION_RE = re.compile(r"^[a-z0-9_.]*$")
VERIFY_PREFIX = "verify"


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

    def validate_action(self, field: Field) -> None:
        if field.data and not ACTION_RE.match(field.data.strip()):
            raise ValidationError(_l("Händelsekoden får bara innehålla små bokstäver, siffror, punkt och understreck."))

    def validate_date_to(self, field: Field) -> None:
        start: date | None = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("Slutdatumet kan inte vara före startdatumet."))


def verify_form(*, blank: bool = False) -> CsrfForm:
    """The auditor's "verify now" button (the same prefix on every page that shows it)."""
    return CsrfForm(formdata=None, prefix=VERIFY_PREFIX) if blank else CsrfForm(prefix=VERIFY_PREFIX)


@dataclass
class AuditPanelForms:
    """The case panel's forms: "verify now" for auditors, else None."""

    verify: CsrfForm | None


def panel_forms(panel: AuditPanel) -> AuditPanelForms:
    """Blank forms for what the panel permits."""
    return AuditPanelForms(verify=verify_form(blank=True) if panel.can_verify else None)
