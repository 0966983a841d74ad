"""Stage discussion: comments on every stage, counter-proposals in the alternatives stage."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.discussion import policy, queries, services
from tracker.discussion.forms import (
    AnswerForm,
    CommentForm,
    CounterProposalForm,
    DiscussionPanelForms,
    WithdrawCommentForm,
    answer_form,
    comment_form,
    panel_forms,
    proposal_form,
)
from tracker.discussion.labels import MARKDOWN_HINT
from tracker.discussion.models import Comment, CounterProposal
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure.stages import STAGES, Stage, stage_label
from tracker.web.access import Permission, current_actor, load_or_404, requires
from tracker.web.confirm import Confirmation, render_confirmation
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("discussion", __name__)


@dataclass(frozen=True)
class _StagePageForms:
    discussion: DiscussionPanelForms


@dataclass(frozen=True)
class _StagePage:
    """What templates/discussion/_stage_panel.html reads (`page`), on the stage's own page."""

    discussion: queries.DiscussionPanel
    forms: _StagePageForms


def _in_visible_case(user: User, row: Comment | CounterProposal) -> bool:
    case = db.session.get(Case, row.case_id)
    return case is not None and can_view_case(user, case)


def _case_of(row: Comment | CounterProposal) -> Case:
    case = db.session.get(Case, row.case_id)
    assert case is not None
    return case


def _stage_or_404(stage: str) -> str:
    if stage not in STAGES:
        abort(404)
    return stage


def _render_stage(case: Case, stage: str, *, failed: CommentForm | CounterProposalForm | None = None,
                  failed_answer: tuple[int, AnswerForm] | None = None, status: int = 200) -> tuple[str, int]:
    panel = queries.panel(current_actor(), case, stage)
    forms = panel_forms(panel)
    stage_forms = forms.stages[stage]
    if isinstance(failed, CommentForm):
        stage_forms = replace(stage_forms, comment=failed)
    elif isinstance(failed, CounterProposalForm):
        stage_forms = replace(stage_forms, proposal=failed)
    if failed_answer is not None:
        stage_forms = replace(stage_forms, answers={**stage_forms.answers, failed_answer[0]: failed_answer[1]})
    page_forms = DiscussionPanelForms(stages={**forms.stages, stage: stage_forms})
    page = _StagePage(discussion=panel, forms=_StagePageForms(discussion=page_forms))
    return render_template("discussion/stage.html", case=case, code=stage, sd=panel.stages[Stage(stage)],
                           page=page), status


def _back(case: Case, stage: str, anchor: str = "") -> Response:
    """Back where the form was: the stage's view of the case page (?from=case), with the
    confirmation beside the stage's actions, or the stage's discussion page."""
    if request.args.get("from") == "case":
        return redirect(url_for("cases.stage", case_id=case.id, code=stage) + "#confirmation")
    return redirect(url_for("discussion.stage", case_id=case.id, stage=stage) + anchor)


@bp.route("/cases/<int:case_id>/stages/<stage>/discussion")
@requires(Permission.CASE_VIEW)
def stage(case_id: int, stage: str) -> tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    return _render_stage(case, _stage_or_404(stage))


@bp.post("/cases/<int:case_id>/stages/<stage>/comments")
@requires(Permission.COMMENT)
def add_comment(case_id: int, stage: str) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    _stage_or_404(stage)
    form = comment_form(stage, submitted=True)
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_actor(), case, stage, form.body.data or "")
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Kommentaren har sparats."), "success:discussion")
            return _back(case, stage, f"#comment-{comment.id}")
    return _render_stage(case, stage, failed=form, status=400)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@requires(Permission.COMMENT)
def edit_comment(comment_id: int) -> Response | tuple[str, int]:
    comment = load_or_404(Comment, comment_id, _in_visible_case)
    case = _case_of(comment)
    user = current_actor()
    if comment.is_deleted:
        raise Conflict(_("Kommentaren är borttagen."))
    if not policy.can_edit_comment(user, comment):
        raise PermissionDenied(_("Endast den som skrev kommentaren kan ändra den."))
    form = CommentForm(obj=comment) if request.method == "GET" else CommentForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.edit_comment(user, comment, form.body.data or "")
            except ValidationFailed as error:
                apply_domain_error(form, error)
            else:
                flash(_("Kommentaren har ändrats."), "success:discussion")
                return _back(case, comment.stage_code, f"#comment-{comment.id}")
    return render_template("discussion/edit_comment.html", case=case, comment=comment, form=form,
                           stage_label=stage_label(comment.stage_code), markdown_hint=MARKDOWN_HINT,
                           revisions=queries.revisions_of(comment)), status


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.COMMENT)
def withdraw_comment(comment_id: int) -> Response | tuple[str, int]:
    """The author's confirmation page, and the withdrawal once they tick the confirmation."""
    comment = load_or_404(Comment, comment_id, _in_visible_case)
    case = _case_of(comment)
    user = current_actor()
    if comment.is_deleted:
        raise Conflict(_("Kommentaren är redan tillbakadragen."))
    if not policy.can_withdraw_comment(user, comment):
        raise PermissionDenied(_("Endast den som skrev kommentaren kan dra tillbaka den."))
    form = WithdrawCommentForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            services.withdraw_comment(user, comment)
            flash(_("Kommentaren har dragits tillbaka."), "success:discussion")
            return _back(case, comment.stage_code, f"#comment-{comment.id}")
    back = {"from": "case"} if request.args.get("from") == "case" else {}
    return render_template("discussion/withdraw_comment.html", case=case, comment=comment, form=form,
                           stage_label=stage_label(comment.stage_code), back=back), status


@bp.route("/comments/<int:comment_id>/history")
@requires(Permission.CASE_VIEW)
def comment_history(comment_id: int) -> str:
    comment = load_or_404(Comment, comment_id, _in_visible_case)
    return render_template("discussion/history.html", case=_case_of(comment), comment=comment,
                           stage_label=stage_label(comment.stage_code),
                           revisions=queries.revisions_of(comment))


@bp.post("/cases/<int:case_id>/counter-proposals")
@requires(Permission.COUNTER_PROPOSAL)
def submit_counter_proposal(case_id: int) -> Response | tuple[str, int]:
    case = load_or_404(Case, case_id, can_view_case)
    stage_code = queries.COUNTER_PROPOSAL_STAGE
    form = proposal_form(submitted=True)
    if form.validate_on_submit():
        try:
            proposal = services.submit_counter_proposal(current_actor(), case, title=form.title.data or "",
                                                        body=form.body.data or "")
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Motförslaget har lämnats."), "success:discussion")
            return _back(case, stage_code, f"#counter-proposal-{proposal.id}")
    return _render_stage(case, stage_code, failed=form, status=400)


@bp.post("/counter-proposals/<int:proposal_id>/answer")
@requires(Permission.PROCEDURE_RUN)
def answer_counter_proposal(proposal_id: int) -> Response | tuple[str, int]:
    proposal = load_or_404(CounterProposal, proposal_id, _in_visible_case)
    case = _case_of(proposal)
    form = answer_form(proposal.id, submitted=True)
    if form.validate_on_submit():
        try:
            services.answer_counter_proposal(current_actor(), proposal, form.answer.data or "")
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Svaret har sparats."), "success:discussion")
            return _back(case, proposal.stage_code, f"#counter-proposal-{proposal.id}")
    return _render_stage(case, proposal.stage_code, failed_answer=(proposal.id, form), status=400)


@bp.route("/counter-proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.COUNTER_PROPOSAL)
def withdraw_counter_proposal(proposal_id: int) -> Response | tuple[str, int]:
    """GET: the confirmation page (what withdrawing means); POST: withdraw."""
    proposal = load_or_404(CounterProposal, proposal_id, _in_visible_case)
    case = _case_of(proposal)
    if request.method == "GET":
        if not policy.proposal_withdrawable(proposal, current_actor().id, archived=case.is_archived):
            raise PermissionDenied(_("Bara den som lämnade ett öppet motförslag kan dra tillbaka det."))
        back: dict[str, Any] = {"from": "case"} if request.args.get("from") == "case" else {}
        back_url = (url_for("cases.stage", case_id=case.id, code=proposal.stage_code) if back
                    else url_for("discussion.stage", case_id=case.id, stage=proposal.stage_code))
        return render_confirmation(Confirmation(
            title=_("Dra tillbaka motförslaget?"),
            consequences=[_("Motförslaget markeras som tillbakadraget och arbetsgivaren behöver inte längre "
                            "svara på det. Texten finns kvar i ärendet; det kan inte lämnas in igen, bara "
                            "ersättas av ett nytt motförslag.")],
            action=url_for("discussion.withdraw_counter_proposal", proposal_id=proposal.id, **back),
            button=_("Dra tillbaka motförslaget"), back_url=back_url + f"#counter-proposal-{proposal.id}",
            back_text=_("Tillbaka till skedet %(stage)s", stage=stage_label(proposal.stage_code)),
            warning=True, quote=proposal.title, context_title=f"{case.diary_number} {case.title}"))
    if not CsrfForm().validate_on_submit():
        abort(400)
    services.withdraw_counter_proposal(current_actor(), proposal)
    flash(_("Motförslaget har dragits tillbaka."), "success:discussion")
    return _back(case, proposal.stage_code, f"#counter-proposal-{proposal.id}")
