"""Comments on stages and counter-proposals: every change audited, nothing ever hard-deleted."""
from __future__ import annotations

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.discussion import policy
from tracker.discussion.models import Comment, CommentRevision, CounterProposal
from tracker.discussion.queries import COUNTER_PROPOSAL_STAGE
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure.services import assert_stage_item_not_frozen
from tracker.procedure.stages import STAGES, stage_index
from tracker.timeutil import utcnow

COMMENT_MAX = 10_000
ANSWER_MIN = 20


def _check_stage(stage_code: str) -> str:
    if stage_code not in STAGES:
        raise NotFound(_("Okänt skede."))
    return stage_code


def _case_of(obj: Comment | CounterProposal) -> Case:
    case = db.session.get(Case, obj.case_id)
    if case is None:
        raise NotFound()
    return case


def _check_open(case: Case) -> None:
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat."))


def _clean_body(body: str, field: str = "body", maximum: int = COMMENT_MAX) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Texten får inte vara tom."), field=field)
    if len(body) > maximum:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=maximum), field=field)
    return body


# --- comments ---------------------------------------------------------------------------------

def add_comment(actor: User, case: Case, stage_code: str, body: str) -> Comment:
    """A member's (or the responsible HR officer's) comment on a stage."""
    _check_stage(stage_code)
    _check_open(case)
    if not policy.can_comment(actor, case):
        raise PermissionDenied(_("Endast styrnings- och uppföljningsgruppens medlemmar kan kommentera."))
    body = _clean_body(body)
    comment = Comment(case_id=case.id, stage_code=stage_code, author_id=actor.id, author=actor, body=body,
                      created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    record(actor, "comment.added", comment, {"stage": stage_code, "length": len(body)}, case_id=case.id)
    return comment


def edit_comment(actor: User, comment: Comment, body: str) -> Comment:
    """The author changes their text; the previous text is kept as a revision."""
    _check_open(_case_of(comment))
    if comment.is_deleted:
        raise Conflict(_("Kommentaren är borttagen."))
    assert_stage_item_not_frozen(_case_of(comment), comment.stage_code, comment.created_at)
    if not policy.can_edit_comment(actor, comment):
        raise PermissionDenied(_("Endast den som skrev kommentaren kan ändra den."))
    body = _clean_body(body)
    if body == comment.body:
        return comment
    now = utcnow()
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body,
                                   written_at=comment.edited_at or comment.created_at,
                                   replaced_at=now, replaced_by_id=actor.id))
    comment.body = body
    comment.edited_at = now
    db.session.flush()
    record(actor, "comment.edited", comment, {"stage": comment.stage_code, "length": len(body)},
           case_id=comment.case_id)
    return comment


def withdraw_comment(actor: User, comment: Comment) -> Comment:
    """The author withdraws their comment: the text is hidden, "withdrawn by X at T" stays, revisions remain."""
    _check_open(_case_of(comment))
    if comment.is_deleted:
        raise Conflict(_("Kommentaren är redan tillbakadragen."))
    assert_stage_item_not_frozen(_case_of(comment), comment.stage_code, comment.created_at)
    if not policy.can_withdraw_comment(actor, comment):
        raise PermissionDenied(_("Endast den som skrev kommentaren kan dra tillbaka den."))
    now = utcnow()
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body,
                                   written_at=comment.edited_at or comment.created_at,
                                   replaced_at=now, replaced_by_id=actor.id))
    comment.deleted_at = now
    comment.deleted_by_id = actor.id
    comment.deleted_by = actor
    db.session.flush()
    record(actor, "comment.withdrawn", comment, {"stage": comment.stage_code}, case_id=comment.case_id)
    return comment


# --- counter-proposals ------------------------------------------------------------------------

def submit_counter_proposal(actor: User, case: Case, *, title: str, body: str) -> CounterProposal:
    """A personnel-side member proposes an alternative (until the alternatives stage is passed)."""
    _check_open(case)
    if not policy.can_submit_counter_proposal(actor, case):
        raise PermissionDenied(_("Endast personalsidans ledamöter kan lämna motförslag."))
    if case.current_stage in STAGES and stage_index(case.current_stage) > stage_index(COUNTER_PROPOSAL_STAGE):
        raise Conflict(_("Alternativskedet är avslutat; motförslag kan inte längre lämnas."))
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Ange en rubrik."), field="title")
    if len(title) > 300:
        raise ValidationFailed(_("Rubriken är för lång (högst 300 tecken)."), field="title")
    body = _clean_body(body)
    proposal = CounterProposal(case_id=case.id, stage_code=COUNTER_PROPOSAL_STAGE, author_id=actor.id,
                               author=actor, title=title, body=body, created_at=utcnow())
    db.session.add(proposal)
    db.session.flush()
    record(actor, "counter_proposal.submitted", proposal, {"title": title}, case_id=case.id)
    signals.counter_proposal_submitted.send(proposal, actor=actor, case=case)
    return proposal


def answer_counter_proposal(actor: User, proposal: CounterProposal, answer: str) -> CounterProposal:
    """The employer's reasoned answer, by the case's HR officer."""
    case = _case_of(proposal)
    _check_open(case)
    if not policy.can_answer_counter_proposal(actor, case):
        raise PermissionDenied(_("Endast ärendets HR-handläggare kan besvara motförslag."))
    assert_stage_item_not_frozen(case, proposal.stage_code, proposal.created_at)
    if proposal.withdrawn_at is not None:
        raise Conflict(_("Motförslaget har dragits tillbaka."))
    if proposal.answered_at is not None:
        raise Conflict(_("Motförslaget är redan besvarat."))
    answer = (answer or "").strip()
    if len(answer) < ANSWER_MIN:
        raise ValidationFailed(
            _("Svaret ska vara motiverat (minst %(n)d tecken).", n=ANSWER_MIN), field="answer")
    answer = _clean_body(answer, field="answer")
    proposal.answer = answer
    proposal.answered_by_id = actor.id
    proposal.answered_by = actor
    proposal.answered_at = utcnow()
    db.session.flush()
    record(actor, "counter_proposal.answered", proposal, {"title": proposal.title, "length": len(answer)},
           case_id=case.id)
    return proposal


def withdraw_counter_proposal(actor: User, proposal: CounterProposal) -> CounterProposal:
    """The author withdraws an unanswered proposal."""
    case = _case_of(proposal)
    _check_open(case)
    assert_stage_item_not_frozen(case, proposal.stage_code, proposal.created_at)
    if proposal.withdrawn_at is not None:
        raise Conflict(_("Motförslaget har redan dragits tillbaka."))
    if proposal.answered_at is not None:
        raise Conflict(_("Ett besvarat motförslag kan inte dras tillbaka."))
    if not policy.can_withdraw_counter_proposal(actor, proposal):
        raise PermissionDenied(_("Endast den som lämnade motförslaget kan dra tillbaka det."))
    proposal.withdrawn_at = utcnow()
    db.session.flush()
    record(actor, "counter_proposal.withdrawn", proposal, {"title": proposal.title}, case_id=case.id)
    return proposal
