"""Forms for the steering group."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.steering.labels import MEMBER_ROLE_LABELS, PARTY_LABELS
from tracker.steering.models import MemberRole
from tracker.steering.queries import MemberChoices, SteeringPanel
from tracker.web.forms import choices


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(_l("Välj en person."))])
    party = SelectField(_l("Part"), choices=choices(PARTY_LABELS.items()))
    role = SelectField(_l("Roll i gruppen"), choices=choices(MEMBER_ROLE_LABELS.items()),
                       default=MemberRole.MEMBER.value)
    union_id = SelectField(_l("Facklig organisation"), coerce=int, default=0, validators=[Optional()])
    units = CheckboxListField(_l("Enheter som personen företräder"), validators=[Optional()])

    def __init__(self, *args: Any, offer: MemberChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices(
            [(0, _l("– välj –")), *((u.id, f"{u.name} ({u.email})") for u in offer.users)])
        self.union_id.choices = choices(
            [(0, _l("Personens egen organisation")), *((o.id, o.name) for o in offer.unions)])
        self.units.choices = choices((name, name) for name in offer.units)
        self.units.render_kw = {"class": "checkbox-list"}


class EndMembershipForm(FlaskForm):
    reason = StringField(_l("Anledning (valfritt)"), validators=[Optional(), Length(max=300)])


@dataclass
class SteeringPanelForms:
    """Blank forms the steering panel offers (None where the user may not)."""

    add_member: MemberForm | None
    end_membership: EndMembershipForm | None


def member_form(offer: MemberChoices, *, submitted: bool = False) -> MemberForm:
    """The add-member form, blank or bound to the request's form data."""
    if submitted:
        return MemberForm(offer=offer, prefix="member")
    return MemberForm(offer=offer, prefix="member", formdata=None)


def panel_forms(panel: SteeringPanel) -> SteeringPanelForms:
    """The add-member and end-membership forms, for whoever may manage the group."""
    if not panel.can_manage or panel.choices is None:
        return SteeringPanelForms(add_member=None, end_membership=None)
    return SteeringPanelForms(add_member=member_form(panel.choices),
                              end_membership=EndMembershipForm(formdata=None))

