"""Forms of the login and own-account pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker.auth.labels import LANGUAGE_NAMES
from tracker.i18n import html_lang, organisation_languages
from tracker.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Ange din e-postadress.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Ange ditt lösenord."))],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Nuvarande lösenord"),
                                     validators=[DataRequired(_l("Ange ditt nuvarande lösenord."))],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("Nytt lösenord"), validators=[DataRequired(_l("Ange ett nytt lösenord."))],
                             render_kw={"autocomplete": "new-password"})


def language_choices() -> list[SelectChoice]:
    """Each language the organisation offers, in its own name, marked with its `lang` for screen readers."""
    return [SelectChoice(code, LANGUAGE_NAMES.get(code, code), render_kw={"lang": html_lang(code)})
            for code in organisation_languages()]


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Språk"), choices=[])
    next = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
