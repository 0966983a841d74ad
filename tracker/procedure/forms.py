"""The procedure's forms (case page actions). Labels of enums come from tracker.procedure.labels."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.i18n import html_lang, language_name, organisation_languages
from tracker.i18n import lazy_gettext as _l
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import Stage
from tracker.procedure.labels import CONTENT_FIELD_LABELS, DEADLINE_LABELS, END_MODE_LABELS, PARTY_LABELS
from tracker.steering.models import Party
from tracker.timeutil import org_tz
from tracker.web.forms import CsrfForm, choices

__all__ = [
    "CONTENT_FORMS", "END_MODES", "PARTIES", "STATEMENT_FORMATS", "ApproveEvaluationForm",
    "AssignDecisionMakerForm", "CentralEndForm", "CentralRequestForm", "CsrfForm", "DecisionForm",
    "EndDecisionMakerForm", "EndNegotiationForm", "MaterialChangeForm", "OverrideForm", "PositionForm",
    "ReopenForm", "StatementExportForm", "UrgentDecisionForm", "to_utc",
]

LONG = [Length(max=20000)]
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def to_utc(value: datetime | None) -> datetime | None:
    """A naive datetime-local value in the organisation's time zone -> aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=org_tz())
    return value.astimezone(UTC)


class EarlyInformationForm(FlaskForm):
    information_given = TextAreaField(CONTENT_FIELD_LABELS["information_given"], validators=LONG)
    information_to = StringField(CONTENT_FIELD_LABELS["information_to"], validators=[Length(max=500)])
    information_given_on = DateField(CONTENT_FIELD_LABELS["information_given_on"], validators=[Optional()])
    proposal_text = TextAreaField(CONTENT_FIELD_LABELS["proposal_text"], validators=LONG)
    proposal_delivered_at = DateTimeLocalField(CONTENT_FIELD_LABELS["proposal_delivered_at"], format=DT_FORMATS,
                                               validators=[Optional()])


class GroundsForm(FlaskForm):
    reasons = TextAreaField(CONTENT_FIELD_LABELS["reasons"], validators=LONG)
    documents_tabled = TextAreaField(CONTENT_FIELD_LABELS["documents_tabled"], validators=LONG)


class EffectsForm(FlaskForm):
    effects_staff = TextAreaField(CONTENT_FIELD_LABELS["effects_staff"], validators=LONG)
    effects_units = TextAreaField(CONTENT_FIELD_LABELS["effects_units"], validators=LONG)
    effects_conditions = TextAreaField(CONTENT_FIELD_LABELS["effects_conditions"], validators=LONG)


class AlternativesForm(FlaskForm):
    alternatives_considered = TextAreaField(CONTENT_FIELD_LABELS["alternatives_considered"], validators=LONG)


class ClosingNotesForm(FlaskForm):
    notes = TextAreaField(CONTENT_FIELD_LABELS["notes"], validators=LONG)
    no_meeting_reason = TextAreaField(CONTENT_FIELD_LABELS["no_meeting_reason"], validators=LONG)


class EvaluationForm(FlaskForm):
    plan = TextAreaField(CONTENT_FIELD_LABELS["plan"], validators=LONG)
    indicators = TextAreaField(CONTENT_FIELD_LABELS["indicators"], validators=LONG)
    report = TextAreaField(CONTENT_FIELD_LABELS["report"], validators=LONG)


CONTENT_FORMS: dict[Stage, type[FlaskForm]] = {
    Stage.EARLY_INFORMATION: EarlyInformationForm,
    Stage.GROUNDS: GroundsForm,
    Stage.EFFECTS: EffectsForm,
    Stage.ALTERNATIVES: AlternativesForm,
    Stage.CLOSING: ClosingNotesForm,
    Stage.EVALUATION: EvaluationForm,
}


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Varför skedet återupptas"),
                           validators=[DataRequired(_l("Ange varför skedet återupptas.")), Length(min=5, max=5000)])


class PositionForm(FlaskForm):
    text = TextAreaField(_l("Ståndpunkt"), validators=[DataRequired(_l("Skriv ståndpunkten.")), Length(max=20000)])
    dissent = BooleanField(_l("Avvikande mening"))
    final = BooleanField(_l("Slutlig ståndpunkt"))


END_MODES = list(END_MODE_LABELS.items())
PARTIES = [("", _l("(ingen)")), (Party.EMPLOYER, PARTY_LABELS["employer"]),
           (Party.PERSONNEL, PARTY_LABELS["personnel"])]


class EndNegotiationForm(FlaskForm):
    end_mode = SelectField(_l("Hur förhandlingen avslutades"), choices=choices(END_MODES))
    ended_at = DateTimeLocalField(_l("Avslutad (datum och tid)"), format=DT_FORMATS,
                                  validators=[DataRequired(_l("Ange datum och tid."))])
    notice_by = SelectField(_l("Part som gav skriftligt besked"), choices=choices(PARTIES), validators=[Optional()])
    employer_position = TextAreaField(_l("Arbetsgivarens slutliga ståndpunkt"), validators=LONG)
    personnel_position = TextAreaField(_l("Personalens slutliga ståndpunkt"), validators=LONG)


class CentralRequestForm(FlaskForm):
    note = TextAreaField(_l("Kommentar till begäran"), validators=[Length(max=5000)])


class CentralEndForm(FlaskForm):
    outcome = TextAreaField(_l("Utfall av den centrala förhandlingen"),
                            validators=[DataRequired(_l("Ange utfallet.")), Length(max=5000)])


class UrgentDecisionForm(FlaskForm):
    reason = TextAreaField(_l("Synnerliga skäl"), validators=[DataRequired(_l("Beskriv de synnerliga skälen.")),
                                                             Length(min=10, max=5000)])


class DecisionForm(FlaskForm):
    body = StringField(_l("Beslutande organ"), validators=[DataRequired(_l("Ange beslutande organ.")), Length(max=200)])
    decided_on = DateField(_l("Beslutsdatum"), validators=[DataRequired(_l("Ange beslutsdatum."))])
    reference = StringField(_l("Paragraf (§)"), validators=[DataRequired(_l("Ange paragraf (§).")), Length(max=100)])
    summary = TextAreaField(_l("Beslutet i korthet"), validators=[Length(max=5000)])
    override_reason = TextAreaField(_l("Skäl att åsidosätta spärren (bara om beslutet annars är spärrat)"),
                                    validators=[Optional(), Length(min=10, max=5000)])


OVERRIDE_CODES = [(code, DEADLINE_LABELS[code]) for code in dl.OVERRIDABLE]


class OverrideForm(FlaskForm):
    deadline_code = SelectField(_l("Tidsfrist"), choices=choices(OVERRIDE_CODES))
    reason = TextAreaField(_l("Skriftligt skäl"), validators=[DataRequired(_l("Ange ett skäl.")),
                                                             Length(min=10, max=5000)])


class ApproveEvaluationForm(FlaskForm):
    approved_on = DateField(_l("Styrnings- och uppföljningsgruppens beslutsdatum"),
                            validators=[DataRequired(_l("Ange datum."))])
    minute_reference = StringField(_l("Protokollshänvisning"), validators=[Length(max=200)])


# --- the decision body, material changes after closing, the decision statement --------------

class AssignDecisionMakerForm(FlaskForm):
    """HR picks a decision maker (the choices are the panel's candidates; the service checks the role)."""

    user_id = SelectField(_l("Beslutsfattare"), choices=[], validate_choice=False,
                          validators=[DataRequired(_l("Välj en beslutsfattare."))])


class EndDecisionMakerForm(FlaskForm):
    reason = TextAreaField(_l("Varför uppdraget avslutas"),
                           validators=[DataRequired(_l("Ange varför uppdraget avslutas.")), Length(max=2000)])


class MaterialChangeForm(FlaskForm):
    """HR's choice on a material change after closing; the note is required to keep the closing."""

    note = TextAreaField(_l("Motivering"), validators=[Optional(), Length(max=2000)])


STATEMENT_FORMATS = (("pdf", "PDF"), ("txt", _l("Text")))


class StatementExportForm(FlaskForm):
    """The decision statement's download: the format from the button pressed; the language from the
    select (blank: the case's language, like the procedure record)."""

    format = SelectField(_l("Format"), choices=choices(STATEMENT_FORMATS))
    language = SelectField(_l("Språk"), choices=[], default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", str(_l("Ärendets språk"))),
                                 *(SelectChoice(code, language_name(code), render_kw={"lang": html_lang(code)})
                                   for code in organisation_languages())]
