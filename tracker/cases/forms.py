"""The case registration/edit form and the case list's filters."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.cases.labels import CASE_STATUS_LABELS, CHANGE_KIND_LABELS
from tracker.cases.queries import CaseFilters
from tracker.i18n import lazy_gettext as _l
from tracker.procedure.profiles import all_profiles
from tracker.procedure.stages import STAGES, stage_label
from tracker.units.queries import unit_choices
from tracker.web.forms import CheckboxListField, choices

CHANGE_KIND_CHOICES = choices(CHANGE_KIND_LABELS.items())


def profile_names() -> dict[str, str]:
    """Every procedure profile's name in the page's language (a fallback marked), by code."""
    locale = str(get_locale() or "sv")
    return {code: p.name_in(locale).plain() for code, p in sorted(all_profiles().items())}


def profile_choices() -> list[SelectChoice]:
    """Every procedure profile, by code, named in the page's language."""
    return choices(profile_names().items())


def _any_or(pairs: list[SelectChoice]) -> list[SelectChoice]:
    return [*choices([("", _l("Alla"))]), *pairs]


class CaseForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik.")), Length(max=300)])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=20000)])
    change_kind = SelectField(_l("Typ av förändring"), choices=CHANGE_KIND_CHOICES)
    staff_affected = IntegerField(_l("Antal berörda anställda"), default=0,
                                  validators=[Optional(), NumberRange(min=0, message=_l("Ange 0 eller fler."))])
    units = CheckboxListField(_l("Berörda enheter"), validators=[Optional()])
    may_reduce_staff = BooleanField(_l("Kan leda till uppsägningar, permitteringar eller minskad arbetstid"))
    is_large = BooleanField(_l("Stort ärende (varje enhet ska vara företrädd i styrnings- och uppföljningsgruppen)"))
    planned_decision_date = DateField(_l("Planerat beslutsdatum"), validators=[Optional()])
    decision_body = StringField(_l("Beslutande organ"), validators=[Length(max=200)])
    profile_code = SelectField(_l("Förfarandeprofil"))

    def __init__(self, *args: Any, case_units: Iterable[str] = (), **kwargs: Any) -> None:
        """`case_units`: the case's own units, offered even when the register no longer lists them."""
        super().__init__(*args, **kwargs)
        self.profile_code.choices = profile_choices()
        self.units.choices = choices((name, name) for name in unit_choices(case_units))

    def unit_list(self) -> list[str]:
        """The units ticked."""
        return list(self.units.data or [])

    def case_fields(self) -> dict[str, Any]:
        """The editable facts as keyword arguments for `open_case`/`update_case`."""
        return dict(
            title=self.title.data, description=self.description.data or "", change_kind=self.change_kind.data,
            staff_affected=self.staff_affected.data or 0, units=self.unit_list(),
            may_reduce_staff=self.may_reduce_staff.data, is_large=self.is_large.data,
            planned_decision_date=self.planned_decision_date.data, decision_body=self.decision_body.data or "")


class CaseFilterForm(FlaskForm):
    """GET filters on the case list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    # The selects default to "" ("Alla"): an absent filter is then a valid choice, and WTForms
    # does not load its message catalogue on every request to word an error nobody sees.
    q = StringField(_l("Sök (diarienummer, rubrik, beskrivning)"), validators=[Optional(), Length(max=200)])
    stage = SelectField(_l("Skede"), default="", validators=[Optional()])
    unit = StringField(_l("Enhet"), validators=[Optional(), Length(max=200)])
    profile = SelectField(_l("Profil"), default="", validators=[Optional()])
    status = SelectField(_l("Status"), default="", validators=[Optional()])
    non_compliance = BooleanField(_l("Bara avsteg (åsidosatta tidsfrister)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage.choices = _any_or(choices((code, stage_label(code)) for code in STAGES))
        self.profile.choices = _any_or(profile_choices())
        self.status.choices = _any_or(choices(CASE_STATUS_LABELS.items()))

    def filters(self) -> CaseFilters:
        """The validated filters."""
        return CaseFilters(q=self.q.data or "", stage=self.stage.data or "", unit=self.unit.data or "",
                           profile=self.profile.data or "", status=self.status.data or "",
                           non_compliance=bool(self.non_compliance.data))
