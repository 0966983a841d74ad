"""Forms of the user administration pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.labels import ORGANISATION_KIND_LABELS, ROLE_LABELS

NEW_ORGANISATION = "new"


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes (rendered as a fieldset by the `checkboxes` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(str(role), label) for role, label in ROLE_LABELS.items()]


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(str(kind), label) for kind, label in ORGANISATION_KIND_LABELS.items()]


class UserCreateForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange ett namn.")), Length(max=200)])
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Ange en e-postadress.")), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    organisation = SelectField(_l("Organisation"), validators=[DataRequired(_l("Välj en organisation."))])
    new_organisation = StringField(_l("Ny organisation (namn)"), validators=[Optional(), Length(max=200)])
    organisation_kind = SelectField(_l("Typ av ny organisation"), default="employer")
    roles = CheckboxesField(_l("Roller"))
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Ange ett lösenord."))],
                             render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", _l("Välj …"))] + [
            SelectChoice(str(o.id), o.name) for o in organisations] + [
            SelectChoice(NEW_ORGANISATION, _l("Ny organisation …"))]
        self.organisation_kind.choices = kind_choices()
        self.roles.choices = role_choices()


class RolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roller"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices()


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Nytt lösenord"), validators=[DataRequired(_l("Ange ett nytt lösenord."))],
                             render_kw={"autocomplete": "new-password"})


class OrganisationForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange organisationens namn.")), Length(max=200)])
    kind = SelectField(_l("Typ"), default="union")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
