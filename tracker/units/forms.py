"""The form that adds a unit to the register."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.i18n import lazy_gettext as _l
from tracker.units.services import MAX_NAME


class UnitForm(FlaskForm):
    name = StringField(_l("Enhetens namn"), validators=[DataRequired(_l("Ange enhetens namn.")), Length(max=MAX_NAME)],
                       render_kw={"class": "input-medium", "autocomplete": "off"})
