from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

CHANGE_KINDS = [
    ("reorganisation", _l("Omorganisation")),
    ("merger", _l("Sammanslagning")),
    ("outsourcing", _l("Utkontraktering")),
    ("cuts", _l("Besparingar / neddragningar")),
    ("other", _l("Annat")),
]


def change_kind_label(code: str) -> str:
    return str(dict(CHANGE_KINDS).get(code, code))


class CaseForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik.")), Length(max=300)])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=20000)])
    change_kind = SelectField(_l("Typ av förändring"), choices=CHANGE_KINDS)
    staff_affected = IntegerField(_l("Antal berörda anställda"), default=0,
                                  validators=[Optional(), NumberRange(min=0, message=_l("Ange 0 eller fler."))])
    units = TextAreaField(_l("Berörda enheter (en per rad)"), validators=[Length(max=5000)])
    may_reduce_staff = BooleanField(_l("Kan leda till uppsägningar, permitteringar eller minskad arbetstid"))
    is_large = BooleanField(_l("Stort ärende (varje enhet ska vara företrädd i styrnings- och uppföljningsgruppen)"))
    planned_decision_date = DateField(_l("Planerat beslutsdatum"), validators=[Optional()])
    decision_body = StringField(_l("Beslutande organ"), validators=[Length(max=200)])
    profile_code = SelectField(_l("Förfarandeprofil"))

    def unit_list(self) -> list[str]:
        return [line.strip() for line in (self.units.data or "").splitlines() if line.strip()]


class CaseFilterForm(FlaskForm):
    """GET filters on the case list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Sök (diarienummer, rubrik, beskrivning)"), validators=[Optional(), Length(max=200)])
    stage = SelectField(_l("Steg"), validators=[Optional()])
    unit = StringField(_l("Enhet"), validators=[Optional(), Length(max=200)])
    profile = SelectField(_l("Profil"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    non_compliance = BooleanField(_l("Bara avsteg (åsidosatta tidsfrister)"))
