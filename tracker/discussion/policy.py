"""Who may comment on a case's stages and take part in its counter-proposals.

Pure predicates: no Flask. The case-level predicates ask the database about membership (one query
each); the comment and proposal rules are written once, in `comment_editable`,
`comment_withdrawable` and `proposal_withdrawable`, so the case page can apply them to every row
from booleans it computed once.

Statements belong to the party that made them: nobody removes another person's comment or
counter-proposal, and the employer (HR) in particular never removes the personnel side's. There
is no moderation: an abusive comment is for the parties to raise, not for one of them to delete.
"""
from __future__ import annotations

from tracker.auth.models import User
from tracker.auth.permissions import Permission, has_permission
from tracker.cases.models import Case
from tracker.cases.policy import is_responsible_hr
from tracker.discussion.models import Comment, CounterProposal
from tracker.extensions import db
from tracker.procedure.stages import stage_index
from tracker.steering.policy import can_manage_members, current_membership, is_personnel_member


def _case_of(obj: Comment | CounterProposal) -> Case:
    case = db.session.get(Case, obj.case_id)
    assert case is not None  # rows are deleted with their case (ON DELETE CASCADE)
    return case


def can_comment(user: User, case: Case) -> bool:
    """Current members and the responsible HR officer, holding Permission.COMMENT, while the case is open."""
    if case.is_archived or not has_permission(user, Permission.COMMENT):
        return False
    return is_responsible_hr(user, case) or current_membership(user, case) is not None


def stage_open_for_comments(case: Case, stage: str) -> bool:
    """Pages offer a comment box on the stages the walk has reached: an unstarted stage has
    nothing to discuss yet, and an empty box on each of them only lengthens the case page."""
    return stage_index(stage) <= stage_index(case.current_stage)


def comment_editable(comment: Comment, user_id: int, *, may_comment: bool) -> bool:
    """The rule for editing: the author's own live comment, while they may comment."""
    return may_comment and not comment.is_deleted and comment.author_id == user_id


def comment_withdrawable(comment: Comment, user_id: int, *, may_comment: bool, archived: bool) -> bool:
    """The rule for withdrawing: the author's own live comment in an open case, while they may comment."""
    return may_comment and not archived and not comment.is_deleted and comment.author_id == user_id


def can_edit_comment(user: User, comment: Comment) -> bool:
    """The author changes their own comment while they may comment on the case."""
    return comment_editable(comment, user.id, may_comment=can_comment(user, _case_of(comment)))


def can_withdraw_comment(user: User, comment: Comment) -> bool:
    """Only the author withdraws their own comment (never the employer, never a moderator)."""
    case = _case_of(comment)
    return comment_withdrawable(comment, user.id, may_comment=can_comment(user, case), archived=case.is_archived)


def can_submit_counter_proposal(user: User, case: Case) -> bool:
    """A current personnel-side member holding Permission.COUNTER_PROPOSAL, while the case is open."""
    return (not case.is_archived and has_permission(user, Permission.COUNTER_PROPOSAL)
            and is_personnel_member(user, case))


def can_answer_counter_proposal(user: User, case: Case) -> bool:
    """The employer's reasoned answer: the case's HR officer."""
    return can_manage_members(user, case)


def proposal_withdrawable(proposal: CounterProposal, user_id: int, *, archived: bool) -> bool:
    """The rule for withdrawing: the author's own open proposal in an open case."""
    return proposal.is_open and proposal.author_id == user_id and not archived


def can_withdraw_counter_proposal(user: User, proposal: CounterProposal) -> bool:
    """The author withdraws their own unanswered proposal."""
    return proposal_withdrawable(proposal, user.id, archived=_case_of(proposal).is_archived)
