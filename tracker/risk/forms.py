"""Forms for the risk assessment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.risk.services import REASON_MIN, SUMMARY_MAX


class AssessmentForm(FlaskForm):
    summary = TextAreaField(_l("Sammanfattning av risk- och konsekvensanalysen"), validators=[
        DataRequired(_l("Skriv en sammanfattning.")), Length(max=SUMMARY_MAX)])
    document_id = IntegerField(_l("Dokumentnummer (valfritt)"), validators=[
        Optional(), NumberRange(min=1, message=_l("Ange ett giltigt dokumentnummer."))])


class CosignForm(FlaskForm):
    password = PasswordField(_l("Ditt lösenord"), validators=[DataRequired(_l("Ange ditt lösenord."))],
                             render_kw={"autocomplete": "current-password"})


class ObjectionForm(FlaskForm):
    body = TextAreaField(_l("Invändning"), validators=[
        DataRequired(_l("Skriv invändningen.")), Length(max=SUMMARY_MAX)])


class WaiverForm(FlaskForm):
    reason = TextAreaField(_l("Skäl till att underskrift saknas"), validators=[
        DataRequired(_l("Ange ett skäl.")),
        Length(min=REASON_MIN, max=SUMMARY_MAX, message=_l("Skriv minst %(min)d tecken."))])
