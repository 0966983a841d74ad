"""Forms for uploading documents, naming readers, erasing versions and managing clearances, and the
blank forms of the case page's documents panel."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.documents.labels import CLASS_LABELS
from tracker.documents.models import Classification
from tracker.documents.queries import DocumentsPanel
from tracker.i18n import lazy_gettext as _l
from tracker.procedure.stages import STAGES, stage_label
from tracker.web.forms import choices

LEGAL_BASIS_LIST_ID = "legal-basis-suggestions"
# The upload form shares the case page with other panels' forms: its names and ids carry a prefix.
UPLOAD_PREFIX = "document"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (rendered by the `checkboxes` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def classification_choices() -> list[SelectChoice]:
    return choices((c, CLASS_LABELS[c]) for c in Classification)


def stage_choices() -> list[SelectChoice]:
    return choices([("", _l("Hela ärendet (inget särskilt skede)"))] + [(code, stage_label(code)) for code in STAGES])


class VersionForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil att ladda upp."))])


class UploadForm(VersionForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik.")), Length(max=300)])
    classification = SelectField(_l("Informationsklass"), choices=classification_choices,
                                 default=str(Classification.INTERNAL))
    stage_code = SelectField(_l("Skede"), choices=stage_choices, default="")
    legal_basis = StringField(_l("Lagrum för sekretessen"), validators=[Optional(), Length(max=200)],
                              render_kw={"list": LEGAL_BASIS_LIST_ID, "autocomplete": "off"})
    secrecy_ends_on = DateField(_l("Sekretessen upphör"), validators=[Optional()],
                                render_kw={"type": "date"})
    readers = CheckboxesField(_l("Namngivna läsare"), coerce=int, choices=[], validate_choice=False)


class ReaderForm(FlaskForm):
    user_id = SelectField(_l("Läsare"), coerce=int, choices=[],
                          validators=[DataRequired(_l("Välj en person."))])


class EraseForm(FlaskForm):
    reason = TextAreaField(_l("Skäl till radering"),
                           validators=[DataRequired(_l("Ange varför innehållet raderas.")), Length(max=2000)])


class ClearanceForm(FlaskForm):
    auditor_id = SelectField(_l("Revisor"), coerce=int, choices=[],
                             validators=[DataRequired(_l("Välj en revisor."))])
    reason = TextAreaField(_l("Skäl (valfritt)"), validators=[Optional(), Length(max=2000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Skäl (valfritt)"), validators=[Optional(), Length(max=2000)])


def upload_form(reader_choices: Iterable[tuple[int, str]], *, blank: bool = False) -> UploadForm:
    """The upload form offering `reader_choices` as named readers: blank, or bound to the request."""
    form = UploadForm(formdata=None, prefix=UPLOAD_PREFIX) if blank else UploadForm(prefix=UPLOAD_PREFIX)
    form.readers.choices = choices(reader_choices)
    return form


@dataclass
class DocumentsPanelForms:
    """The blank forms of the documents panel: the upload form, when the user may upload."""

    upload: UploadForm | None


def panel_forms(panel: DocumentsPanel) -> DocumentsPanelForms:
    """Blank forms for what the panel permits (None where not permitted)."""
    return DocumentsPanelForms(upload=upload_form(panel.reader_choices, blank=True) if panel.can_upload else None)
