"""Forms for the steering group."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.steering.models import MemberRole, Party

PARTY_LABELS = {Party.EMPLOYER: _l("Arbetsgivaren"), Party.PERSONNEL: _l("Personalen")}
MEMBER_ROLE_LABELS = {
    MemberRole.CHAIR: _l("Ordförande"),
    MemberRole.MEMBER: _l("Ledamot"),
    MemberRole.SECRETARY: _l("Sekreterare"),
    MemberRole.SIGNATORY: _l("Justerare"),
    MemberRole.SAFETY_REPRESENTATIVE: _l("Skyddsombud"),
}


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(_l("Välj en person."))])
    party = SelectField(_l("Part"), choices=[SelectChoice(p.value, PARTY_LABELS[p]) for p in Party])
    role = SelectField(_l("Roll i gruppen"), choices=[SelectChoice(r.value, MEMBER_ROLE_LABELS[r]) for r in MemberRole],
                       default=MemberRole.MEMBER.value)
    union_id = SelectField(_l("Facklig organisation"), coerce=int, default=0, validators=[Optional()])
    units = CheckboxListField(_l("Enheter som personen företräder"), validators=[Optional()])

    def __init__(self, *args, users=(), unions=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [SelectChoice(0, _l("– välj –"))] + [
            SelectChoice(u.id, f"{u.name} ({u.email})") for u in users]
        self.union_id.choices = [SelectChoice(0, _l("Personens egen organisation"))] + [
            SelectChoice(o.id, o.name) for o in unions]
        self.units.choices = [SelectChoice(name, name) for name in units]
        self.units.render_kw = {"class": "checkbox-list"}


class EndMembershipForm(FlaskForm):
    reason = StringField(_l("Anledning (valfritt)"), validators=[Optional(), Length(max=300)])


def party_label(code: str) -> str:
    label = PARTY_LABELS.get(code)
    return str(label) if label is not None else code


def member_role_label(code: str) -> str:
    label = MEMBER_ROLE_LABELS.get(code)
    return str(label) if label is not None else code
