"""Forms for comments and counter-proposals, and the blank forms of the discussion panel."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.discussion.labels import MARKDOWN_HINT
from tracker.discussion.queries import DiscussionPanel, StageDiscussion
from tracker.discussion.services import ANSWER_MIN, COMMENT_MAX
from tracker.i18n import lazy_gettext as _l
from tracker.web.forms import CsrfForm


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Kommentar"), validators=[
        DataRequired(_l("Skriv en kommentar.")), Length(max=COMMENT_MAX)])


class WithdrawCommentForm(FlaskForm):
    """The explicit confirmation a comment's author gives before withdrawing it (no JavaScript needed)."""

    confirm = BooleanField(_l("Ja, jag vill dra tillbaka min kommentar"), validators=[
        DataRequired(_l("Bekräfta att du vill dra tillbaka kommentaren."))])


class CounterProposalForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[DataRequired(_l("Ange en rubrik.")), Length(max=300)])
    body = TextAreaField(_l("Motförslag"), validators=[
        DataRequired(_l("Beskriv motförslaget.")), Length(max=COMMENT_MAX)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Arbetsgivarens motiverade svar"), validators=[
        DataRequired(_l("Skriv ett svar.")),
        Length(min=ANSWER_MIN, max=COMMENT_MAX, message=_l("Svaret ska vara motiverat (minst %(min)d tecken)."))])


def comment_form(stage: str, *, submitted: bool = False) -> CommentForm:
    """The comment box of one stage (prefix per stage: several on the case page)."""
    kwargs: dict[str, Any] = {} if submitted else {"formdata": None}
    return CommentForm(prefix=f"comment-{stage}", **kwargs)


def proposal_form(*, submitted: bool = False) -> CounterProposalForm:
    """The counter-proposal form of the alternatives stage."""
    kwargs: dict[str, Any] = {} if submitted else {"formdata": None}
    return CounterProposalForm(prefix="counter-proposal", **kwargs)


def answer_form(proposal_id: int, *, submitted: bool = False) -> AnswerForm:
    """The employer's answer to one counter-proposal."""
    kwargs: dict[str, Any] = {} if submitted else {"formdata": None}
    return AnswerForm(prefix=f"answer-{proposal_id}", **kwargs)


@dataclass
class StageForms:
    """The blank forms of one stage's discussion (None where the user may not)."""

    comment: CommentForm | None
    proposal: CounterProposalForm | None
    answers: dict[int, AnswerForm]
    action: CsrfForm
    markdown_hint: LazyString = field(default=MARKDOWN_HINT)


@dataclass
class DiscussionPanelForms:
    """Per stage code, that stage's forms."""

    stages: Mapping[str, StageForms]


def _stage_forms(stage: StageDiscussion, action: CsrfForm) -> StageForms:
    return StageForms(
        comment=comment_form(stage.stage) if stage.can_comment else None,
        proposal=proposal_form() if stage.can_propose else None,
        answers={row.proposal.id: answer_form(row.proposal.id) for row in stage.proposals if row.can_answer},
        action=action,
    )


def panel_forms(panel: DiscussionPanel) -> DiscussionPanelForms:
    """Blank forms for every stage: what the panel permits, with ids unique on the page."""
    action = CsrfForm(formdata=None)
    return DiscussionPanelForms(stages={code: _stage_forms(stage, action) for code, stage in panel.stages.items()})
