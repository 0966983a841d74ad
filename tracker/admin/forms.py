"""Forms of the user administration pages."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.labels import ORGANISATION_KIND_LABELS, ROLE_LABELS
from tracker.auth.models import Organisation, OrganisationKind
from tracker.i18n import lazy_gettext as _l
from tracker.web.forms import choices

NEW_ORGANISATION = "new"


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes (rendered as a fieldset by the `checkboxes` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserCreateForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange ett namn.")), Length(max=200)])
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Ange en e-postadress.")), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    organisation = SelectField(_l("Organisation"), validators=[DataRequired(_l("Välj en organisation."))])
    new_organisation = StringField(_l("Ny organisation (namn)"), validators=[Optional(), Length(max=200)])
    organisation_kind = SelectField(_l("Typ av ny organisation"), default=str(OrganisationKind.EMPLOYER),
                                    choices=choices(ORGANISATION_KIND_LABELS.items()))
    roles = CheckboxesField(_l("Roller"), choices=choices(ROLE_LABELS.items()))
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Ange ett lösenord."))],
                             render_kw={"autocomplete": "new-password"})

    def __init__(self, *args: Any, organisations: Iterable[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices([("", _l("Välj …")), *((o.id, o.name) for o in organisations),
                                             (NEW_ORGANISATION, _l("Ny organisation …"))])


class RolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roller"), choices=choices(ROLE_LABELS.items()))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Nytt lösenord"), validators=[DataRequired(_l("Ange ett nytt lösenord."))],
                             render_kw={"autocomplete": "new-password"})


class OrganisationForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange organisationens namn.")), Length(max=200)])
    kind = SelectField(_l("Typ"), default=str(OrganisationKind.UNION),
                       choices=choices(ORGANISATION_KIND_LABELS.items()))
