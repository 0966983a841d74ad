"""Forms for comments and counter-proposals."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.discussion.services import ANSWER_MIN, COMMENT_MAX

MARKDOWN_HINT = _l("Enkel formatering: **fet**, *kursiv*, listor med - och länkar [text](https://…).")


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Kommentar"), validators=[
        DataRequired(_l("Skriv en kommentar.")), Length(max=COMMENT_MAX)])


class CounterProposalForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik.")), Length(max=300)])
    body = TextAreaField(_l("Motförslag"), validators=[
        DataRequired(_l("Beskriv motförslaget.")), Length(max=COMMENT_MAX)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Arbetsgivarens motiverade svar"), validators=[
        DataRequired(_l("Skriv ett svar.")),
        Length(min=ANSWER_MIN, max=COMMENT_MAX, message=_l("Svaret ska vara motiverat (minst %(min)d tecken)."))])
