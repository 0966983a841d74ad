"""Forms for the steering group."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.auth.labels import role_labels
from tracker.auth.models import User
from tracker.i18n import lazy_gettext as _l
from tracker.steering.labels import MEMBER_ROLE_LABELS, PARTY_LABELS, party_label
from tracker.steering.models import MemberRole
from tracker.steering.policy import inferred_party
from tracker.steering.queries import MemberChoices, SteeringPanel
from tracker.web.forms import CheckboxListField, choices

AUTO_PARTY = "auto"


def person_label(user: User) -> str:
    """'Anna Berg – Kommunal, Facklig företrädare (personalen)': who, from where, which side."""
    roles = role_labels(user.roles)
    return f"{user.name} – {user.organisation.name}, {roles} ({party_label(inferred_party(user)).lower()})"


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(_l("Välj en person."))])
    party = SelectField(_l("Part"), choices=choices([(AUTO_PARTY, _l("Utifrån personens organisation och roll")),
                                                     *PARTY_LABELS.items()]), default=AUTO_PARTY)
    role = SelectField(_l("Roll i gruppen"), choices=choices(MEMBER_ROLE_LABELS.items()),
                       default=MemberRole.MEMBER.value)
    union_id = SelectField(_l("Facklig organisation"), coerce=int, default=0, validators=[Optional()])
    units = CheckboxListField(_l("Enheter som personen företräder"), validators=[Optional()])

    def __init__(self, *args: Any, offer: MemberChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices(
            [(0, _l("– välj –")), *((u.id, person_label(u)) for u in offer.users)])
        self.union_id.choices = choices(
            [(0, _l("Personens egen organisation")), *((o.id, o.name) for o in offer.unions)])
        self.units.choices = choices((name, name) for name in offer.units)
        self.units.render_kw = {"class": "checkbox-list"}


    def party_for(self, user: User) -> str:
        """The chosen party, or the one inferred from the person when left to the organisation."""
        chosen = self.party.data or AUTO_PARTY
        return str(inferred_party(user)) if chosen == AUTO_PARTY else chosen


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
    return SteeringPanelForms(add_member=member_form(panel.choices) if panel.can_add else None,
                              end_membership=EndMembershipForm(formdata=None))

