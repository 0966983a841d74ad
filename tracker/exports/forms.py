"""Forms of the export pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import Optional, ValidationError

from tracker.exports.services import FORMATS

STATUS_CHOICES = [("", _l("Alla")), ("active", _l("Pågående")), ("decided", _l("Beslutade")),
                  ("archived", _l("Arkiverade"))]
COMPLIANCE_CHOICES = [("", _l("Alla")), ("yes", _l("Med avvikelse")), ("no", _l("Utan avvikelse"))]


class ExportForm(FlaskForm):
    """One case: the format comes from the button pressed."""

    format = SelectField(_l("Format"), choices=[(f, f) for f in FORMATS])


class CaseFilterForm(FlaskForm):
    """The auditor's overview filters (GET, so no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    profile = SelectField(_l("Förfarandeprofil"), choices=[], validate_choice=True, default="")
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="")
    non_compliance = SelectField(_l("Avvikelse"), choices=COMPLIANCE_CHOICES, default="")
    registered_from = DateField(_l("Registrerat från"), validators=[Optional()])
    registered_to = DateField(_l("Registrerat till"), validators=[Optional()])

    def validate_registered_to(self, field: DateField) -> None:
        if field.data and self.registered_from.data and field.data < self.registered_from.data:
            raise ValidationError(_l("Slutdatumet ligger före startdatumet."))


class BulkExportForm(FlaskForm):
    """Export every case that matches the filters (carried as hidden fields)."""

    profile = HiddenField()
    status = HiddenField()
    non_compliance = HiddenField()
    registered_from = HiddenField()
    registered_to = HiddenField()
