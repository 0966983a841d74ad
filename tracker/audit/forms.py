"""Forms of the audit pages: the GET filter and the "verify now" button."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from tracker.audit.queries import AuditPanel
from tracker.audit.sentences import action_choices
from tracker.i18n import lazy_gettext as _l
from tracker.web.forms import CsrfForm

ACTION_RE = re.compile(r"^[a-z0-9_.]*$")
VERIFY_PREFIX = "verify"
# Filter dates outside these years are typing errors; at the ends of Python's calendar the day after
# (or midnight in UTC) does not exist, and the query would fail.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
MAX_SEQ = 2**63 - 1  # BigInteger


def supported_date(form: Form, field: Field) -> None:
    """A filter date within FIRST_DATE..LAST_DATE (shared by the audit and export filters)."""
    if field.data and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(_l("Ange ett datum mellan %(first)s och %(last)s.", first=FIRST_DATE.isoformat(),
                                 last=LAST_DATE.isoformat()))


def _cursor(label: str) -> IntegerField:
    message = _l("Ogiltig sidposition i adressen; börja om från första sidan.")
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=MAX_SEQ, message=message)])


class AuditFilterForm(FlaskForm):
    """Filters in the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Aktör"), validators=[Optional(), Length(max=200)],
                        description=_l("Hela eller delar av namnet."))
    action = SelectField(_l("Händelse"), validators=[Optional()], validate_choice=False,
                         description=_l("En sorts händelse, eller alla inom ett område."))
    date_from = DateField(_l("Från och med datum"), validators=[Optional(), supported_date],
                          render_kw={"type": "date"})
    date_to = DateField(_l("Till och med datum"), validators=[Optional(), supported_date],
                        render_kw={"type": "date"})
    # The paging cursors (links, not inputs): a bad one is a 400 with the filters' message.
    before = _cursor("before")
    after = _cursor("after")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = action_choices()

    def validate_action(self, field: Field) -> None:
        # Any code is accepted (a link may name an action the select does not list), but only a code.
        if field.data and (len(field.data) > 80 or not ACTION_RE.match(field.data.strip())):
            raise ValidationError(_l("Välj en händelse i listan."))
        if field.data and field.data not in dict(field.choices or []):
            field.choices = [*(field.choices or []), (field.data, field.data)]

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
