"""Forms of the export pages: the export buttons, the overview's filters, bulk export."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.audit.forms import supported_date
from tracker.exports.labels import COMPLIANCE_FILTERS, STATUS_FILTERS
from tracker.exports.queries import CaseFilters, ExportsPanel
from tracker.exports.services import FORMATS
from tracker.i18n import html_lang, language_name, organisation_languages
from tracker.i18n import lazy_gettext as _l
from tracker.web.forms import choices

EXPORT_PREFIX = "exports"
FILTER_FIELDS = ("profile", "status", "non_compliance", "registered_from", "registered_to")


class ExportForm(FlaskForm):
    """One case: the format comes from the button pressed; the language from the select (blank:
    the case's language)."""

    format = SelectField(_l("Format"), choices=choices((f, f) for f in FORMATS))
    language = SelectField(_l("Protokollets språk"), choices=[], default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", str(_l("Ärendets språk"))),
                                 *(SelectChoice(code, language_name(code), render_kw={"lang": html_lang(code)})
                                   for code in organisation_languages())]


def export_form(*, blank: bool = False) -> ExportForm:
    """The export buttons' form (the same prefix on the case page and the overview)."""
    return ExportForm(formdata=None, prefix=EXPORT_PREFIX) if blank else ExportForm(prefix=EXPORT_PREFIX)


class CaseFilterForm(FlaskForm):
    """The auditor's overview filters (GET, so no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    profile = SelectField(_l("Förfarandeprofil"), choices=[], validate_choice=True, default="")
    status = SelectField(_l("Status"), choices=choices(STATUS_FILTERS), default="")
    non_compliance = SelectField(_l("Avvikelse"), choices=choices(COMPLIANCE_FILTERS), default="")
    registered_from = DateField(_l("Registrerat från"), validators=[Optional(), supported_date])
    registered_to = DateField(_l("Registrerat till"), validators=[Optional(), supported_date])

    def validate_registered_to(self, field: Field) -> None:
        if field.data and self.registered_from.data and field.data < self.registered_from.data:
            raise ValidationError(_l("Slutdatumet ligger före startdatumet."))

    def filters(self) -> CaseFilters:
        """The validated filters."""
        return CaseFilters(profile=self.profile.data or "", status=self.status.data or "",
                           non_compliance=self.non_compliance.data or "",
                           registered_from=self.registered_from.data, registered_to=self.registered_to.data)


def filter_form(formdata: object, profile_codes: Iterable[str]) -> CaseFilterForm:
    """The filter form over `formdata` (request.args or request.form), offering these profiles."""
    form = CaseFilterForm(formdata=formdata)
    form.profile.choices = choices([("", _l("Alla")), *((code, code) for code in profile_codes)])
    return form


class BulkExportForm(FlaskForm):
    """Export every case that matches the filters (carried as hidden fields)."""

    profile = HiddenField()
    status = HiddenField()
    non_compliance = HiddenField()
    registered_from = HiddenField()
    registered_to = HiddenField()


@dataclass
class ExportsPanelForms:
    """The case panel's forms: the export buttons for those who may export, else None."""

    export: ExportForm | None


def panel_forms(panel: ExportsPanel) -> ExportsPanelForms:
    """Blank forms for what the panel permits."""
    return ExportsPanelForms(export=export_form(blank=True) if panel.can_export else None)
