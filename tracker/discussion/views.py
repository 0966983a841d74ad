"""Stage discussion: comments on every stage, counter-proposals in the alternatives stage."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.access import Permission, requires
from tracker.auth.forms import EmptyForm
from tracker.cases.models import Case
from tracker.discussion import services
from tracker.discussion.forms import MARKDOWN_HINT, AnswerForm, CommentForm, CounterProposalForm
from tracker.discussion.models import Comment, CounterProposal
from tracker.discussion.rendering import render_markdown
from tracker.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.procedure.stages import STAGES, stage_label
from tracker.steering import policy
from tracker.steering.web import case_url, field_error

bp = Blueprint("discussion", __name__)


def _comment_form(stage: str, formdata=None) -> CommentForm:
    kwargs = {} if formdata is not None else {"formdata": None}
    return CommentForm(prefix=f"comment-{stage}", **kwargs)


def _proposal_form(formdata=None) -> CounterProposalForm:
    kwargs = {} if formdata is not None else {"formdata": None}
    return CounterProposalForm(prefix="counter-proposal", **kwargs)


def _answer_form(proposal: CounterProposal, formdata=None) -> AnswerForm:
    kwargs = {} if formdata is not None else {"formdata": None}
    return AnswerForm(prefix=f"answer-{proposal.id}", **kwargs)


def _case_data(case: Case) -> dict:
    """Per-request cache: all comments and counter-proposals of the case, and the viewer's rights.
    A fixed number of queries however many stages and comments are shown."""
    cache = g.setdefault("_discussion", {})
    if case.id not in cache:
        by_stage: dict[str, list[Comment]] = {}
        for comment in services.stage_comments(case):
            by_stage.setdefault(comment.stage_code, []).append(comment)
        user = current_user._get_current_object()
        is_hr = policy.can_manage_members(user, case)
        cache[case.id] = {
            "comments": by_stage,
            "proposals": services.counter_proposals(case),
            "can_comment": policy.can_comment(user, case),
            "can_propose": policy.can_submit_counter_proposal(user, case),
            "is_hr": is_hr,
            "user_id": user.id,
        }
    return cache[case.id]


def stage_discussion(case: Case, stage: str, forms: dict | None = None) -> dict:
    """What templates/steering/_stage_panel.html shows for one stage."""
    data = _case_data(case)
    forms = forms or {}
    proposals = data["proposals"] if stage == services.COUNTER_PROPOSAL_STAGE else []
    return {
        "stage": stage,
        "stage_label": stage_label(stage),
        "comments": data["comments"].get(stage, []),
        "comment_form": forms.get("comment") or (_comment_form(stage) if data["can_comment"] else None),
        "proposals": proposals,
        "proposal_form": forms.get("proposal") or (
            _proposal_form() if data["can_propose"] and stage == services.COUNTER_PROPOSAL_STAGE else None),
        "answer_forms": {p.id: forms.get(("answer", p.id)) or _answer_form(p)
                         for p in proposals if data["is_hr"] and p.is_open},
        "can_delete": lambda c: (not c.is_deleted and not case.is_archived
                                 and (data["is_hr"] or (c.author_id == data["user_id"] and data["can_comment"]))),
        "can_edit": lambda c: not c.is_deleted and c.author_id == data["user_id"] and data["can_comment"],
        "can_withdraw": lambda p: p.is_open and p.author_id == data["user_id"] and not case.is_archived,
        "action_form": EmptyForm(formdata=None),
        "markdown_hint": MARKDOWN_HINT,
    }


def _stage_or_404(stage: str) -> str:
    if stage not in STAGES:
        abort(404)
    return stage


def _render_stage(case: Case, stage: str, forms: dict | None = None, status: int = 200):
    return render_template("discussion/stage.html", case=case, stage=stage, case_url=case_url(case),
                           sd=stage_discussion(case, stage, forms)), status


def _back(case: Case, stage: str, anchor: str = ""):
    """Back where the form was: the case page (?from=case) or the stage's discussion page."""
    if request.args.get("from") == "case":
        return redirect(case_url(case) + anchor)
    return redirect(url_for("discussion.stage", case_id=case.id, stage=stage) + anchor)


@bp.route("/cases/<int:case_id>/stages/<stage>/discussion")
@requires(Permission.CASE_VIEW)
def stage(case_id: int, stage: str):
    case = policy.load_case_or_404(case_id)
    return _render_stage(case, _stage_or_404(stage))


@bp.post("/cases/<int:case_id>/stages/<stage>/comments")
@requires(Permission.COMMENT)
def add_comment(case_id: int, stage: str):
    case = policy.load_case_or_404(case_id)
    _stage_or_404(stage)
    form = _comment_form(stage, formdata=True)
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, case, stage, form.body.data)
        except ValidationFailed as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Kommentaren har sparats."), "success")
            return _back(case, stage, f"#comment-{comment.id}")
    return _render_stage(case, stage, {"comment": form}, 400)


def _load_comment(comment_id: int) -> tuple[Comment, Case]:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return comment, policy.load_case_or_404(comment.case_id)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@requires(Permission.COMMENT)
def edit_comment(comment_id: int):
    comment, case = _load_comment(comment_id)
    if comment.is_deleted:
        raise Conflict(_("Kommentaren är borttagen."))
    if comment.author_id != current_user.id or not policy.can_comment(current_user, case):
        raise PermissionDenied(_("Endast den som skrev kommentaren kan ändra den."))
    form = CommentForm(obj=comment) if request.method == "GET" else CommentForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.edit_comment(current_user, comment, form.body.data)
            except ValidationFailed as error:
                db.session.rollback()
                field_error(form, error)
            else:
                db.session.commit()
                flash(_("Kommentaren har ändrats."), "success")
                return _back(case, comment.stage_code, f"#comment-{comment.id}")
        status = 400
    return render_template("discussion/edit_comment.html", case=case, comment=comment, form=form,
                           stage_label=stage_label(comment.stage_code), markdown_hint=MARKDOWN_HINT,
                           revisions=services.comment_revisions(comment)), status


@bp.post("/comments/<int:comment_id>/delete")
@requires(Permission.COMMENT)
def delete_comment(comment_id: int):
    comment, case = _load_comment(comment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_comment(current_user, comment)
    db.session.commit()
    flash(_("Kommentaren har tagits bort."), "success")
    return _back(case, comment.stage_code, f"#comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/history")
@requires(Permission.CASE_VIEW)
def comment_history(comment_id: int):
    comment, case = _load_comment(comment_id)
    return render_template("discussion/history.html", case=case, comment=comment,
                           stage_label=stage_label(comment.stage_code),
                           revisions=services.comment_revisions(comment))


@bp.post("/cases/<int:case_id>/counter-proposals")
@requires(Permission.COUNTER_PROPOSAL)
def submit_counter_proposal(case_id: int):
    case = policy.load_case_or_404(case_id)
    stage_code = services.COUNTER_PROPOSAL_STAGE
    form = _proposal_form(formdata=True)
    if form.validate_on_submit():
        try:
            proposal = services.submit_counter_proposal(current_user, case, title=form.title.data,
                                                        body=form.body.data)
        except ValidationFailed as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Motförslaget har lämnats."), "success")
            return _back(case, stage_code, f"#counter-proposal-{proposal.id}")
    return _render_stage(case, stage_code, {"proposal": form}, 400)


def _load_proposal(proposal_id: int) -> tuple[CounterProposal, Case]:
    proposal = db.session.get(CounterProposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal, policy.load_case_or_404(proposal.case_id)


@bp.post("/counter-proposals/<int:proposal_id>/answer")
@requires(Permission.PROCEDURE_RUN)
def answer_counter_proposal(proposal_id: int):
    proposal, case = _load_proposal(proposal_id)
    form = _answer_form(proposal, formdata=True)
    if form.validate_on_submit():
        try:
            services.answer_counter_proposal(current_user, proposal, form.answer.data)
        except ValidationFailed as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("Svaret har sparats."), "success")
            return _back(case, proposal.stage_code, f"#counter-proposal-{proposal.id}")
    return _render_stage(case, proposal.stage_code, {("answer", proposal.id): form}, 400)


@bp.post("/counter-proposals/<int:proposal_id>/withdraw")
@requires(Permission.COUNTER_PROPOSAL)
def withdraw_counter_proposal(proposal_id: int):
    proposal, case = _load_proposal(proposal_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.withdraw_counter_proposal(current_user, proposal)
    db.session.commit()
    flash(_("Motförslaget har dragits tillbaka."), "success")
    return _back(case, proposal.stage_code, f"#counter-proposal-{proposal.id}")


bp.add_app_template_global(stage_discussion, "stage_discussion")
bp.add_app_template_filter(render_markdown, "comment_markdown")
