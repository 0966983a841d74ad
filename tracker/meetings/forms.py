"""Meeting and minutes forms (Flask-WTF: every POST carries a CSRF token)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.i18n import lazy_gettext as _l
from tracker.meetings.links import invalid_link_message, is_safe_meeting_link
from tracker.meetings.models import Meeting
from tracker.meetings.queries import MeetingsPanel
from tracker.procedure.stages import STAGES, stage_label
from tracker.timeutil import org_tz, to_local
from tracker.web.forms import choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive wall-clock time typed in the organisation's time zone, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=org_tz()).astimezone(UTC)


def utc_to_local_naive(value: datetime | None) -> datetime | None:
    """An aware UTC time as the naive wall-clock time a datetime-local input shows."""
    return None if value is None else to_local(value).replace(tzinfo=None)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik för mötet.")), Length(max=300)])
    starts_at = DateTimeLocalField(_l("Börjar"), format=DATETIME_FORMAT,
                                   validators=[InputRequired(_l("Ange när mötet börjar."))])
    ends_at = DateTimeLocalField(_l("Slutar"), format=DATETIME_FORMAT,
                                 validators=[InputRequired(_l("Ange när mötet slutar."))])
    place = StringField(_l("Plats"), validators=[Length(max=300)])
    link = StringField(_l("Länk till digitalt möte"), validators=[Optional(), Length(max=500)])
    stages = MultiCheckboxField(_l("Skeden som behandlas"), validate_choice=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stages.choices = choices((code, stage_label(code)) for code in STAGES)

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("Mötet måste sluta efter att det börjar."))

    def validate_link(self, field: StringField) -> None:
        link = (field.data or "").strip()
        if link and not is_safe_meeting_link(link):
            raise ValidationError(invalid_link_message())

    def validate_place(self, field: StringField) -> None:
        if not (field.data or "").strip() and not (self.link.data or "").strip():
            raise ValidationError(_l("Ange en plats eller en länk till mötet."))

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments (times converted to UTC)."""
        return {
            "title": self.title.data or "",
            "starts_at": local_to_utc(self.starts_at.data),
            "ends_at": local_to_utc(self.ends_at.data),
            "place": self.place.data or "",
            "link": self.link.data or "",
            "stages": list(self.stages.data or []),
        }


class CancelMeetingForm(FlaskForm):
    reason = TextAreaField(_l("Anledning"), validators=[Optional(), Length(max=2000)])


PRESENCE_CHOICES = (("1", _l("Närvarande")), ("0", _l("Frånvarande")))


def attendance_form(meeting: Meeting, formdata: Any = None) -> FlaskForm:
    """A form with one present/absent choice per invitee (field name a<attendee id>)."""

    class AttendanceForm(FlaskForm):
        pass

    for attendee in meeting.attendees:
        setattr(AttendanceForm, f"a{attendee.id}", RadioField(
            attendee.user.name, choices=choices(PRESENCE_CHOICES),
            validators=[InputRequired(_l("Ange närvaro."))],
            default=None if attendee.present is None else ("1" if attendee.present else "0")))
    return AttendanceForm(formdata=formdata) if formdata is not None else AttendanceForm()


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Protokollets text"), validators=[DataRequired(_l("Protokollet får inte vara tomt."))],
                         render_kw={"rows": 18})
    # The version the author edited; a concurrent save by someone else is detected.
    base_version = HiddenField()


class ApproveForm(FlaskForm):
    password = PasswordField(_l("Ditt lösenord"), validators=[DataRequired(_l("Ange ditt lösenord för att justera."))],
                             render_kw={"autocomplete": "current-password"})
    sha256 = HiddenField()


class RefuseForm(FlaskForm):
    objection = TextAreaField(_l("Invändning"), validators=[
        DataRequired(_l("Skriv en invändning: varför justerar du inte protokollet?")), Length(max=10000)])
    password = PasswordField(_l("Ditt lösenord"), validators=[DataRequired(_l("Ange ditt lösenord."))],
                             render_kw={"autocomplete": "current-password"})
    sha256 = HiddenField()


@dataclass
class MeetingsPanelForms:
    """The meetings panel's blank forms (None where the user may not)."""

    schedule: MeetingForm | None


def panel_forms(panel: MeetingsPanel) -> MeetingsPanelForms:
    """The schedule form, for whoever may manage the case's meetings."""
    return MeetingsPanelForms(schedule=MeetingForm(formdata=None) if panel.can_manage else None)
