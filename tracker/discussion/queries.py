"""Reads for the discussion: comments and counter-proposals of a case, and the case-page panel."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import defaultload

from tracker.auth.loading import NAME_ONLY
from tracker.auth.models import Role, User
from tracker.cases.models import Case, CaseStatus
from tracker.discussion import policy
from tracker.discussion.models import Comment, CommentRevision, CounterProposal
from tracker.extensions import db
from tracker.procedure.stages import STAGES, Stage, stage_label
from tracker.tasks import Task, TaskKind, app_path

COUNTER_PROPOSAL_STAGE = "alternatives"


@dataclass(frozen=True)
class CommentRow:
    """A comment (its deletion trace when deleted) and what the viewer may do with it."""

    comment: Comment
    can_edit: bool
    can_withdraw: bool


@dataclass(frozen=True)
class ProposalRow:
    """A counter-proposal (with its answer) and what the viewer may do with it."""

    proposal: CounterProposal
    can_answer: bool
    can_withdraw: bool


@dataclass(frozen=True)
class StageDiscussion:
    """One stage's comments and, for the alternatives stage, its counter-proposals."""

    case_id: int
    stage: str
    stage_label: str
    comments: tuple[CommentRow, ...]
    proposals: tuple[ProposalRow, ...]
    has_proposals: bool  # the stage where counter-proposals are made
    can_comment: bool
    can_propose: bool


@dataclass(frozen=True)
class DiscussionPanel:
    """Every stage's discussion of a case, by stage code."""

    case_id: int
    stages: Mapping[Stage, StageDiscussion]


# Built once (the case page and every stage view run them): see tracker/procedure/facts.py.
_COMMENTS = (select(Comment).where(Comment.case_id == bindparam("case_id"))
             .options(defaultload(Comment.author).options(*NAME_ONLY),
                      defaultload(Comment.deleted_by).options(*NAME_ONLY))
             .order_by(Comment.created_at, Comment.id))
_STAGE_COMMENTS = _COMMENTS.where(Comment.stage_code == bindparam("stage_code"))


def case_comments(case: Case, stage_code: str | None = None) -> list[Comment]:
    """Comments of a case (optionally one stage), oldest first, deleted ones included, their
    authors (and deleters) by name only. One query."""
    if stage_code is None:
        rows = db.session.execute(_COMMENTS, {"case_id": case.id})
    else:
        rows = db.session.execute(_STAGE_COMMENTS, {"case_id": case.id, "stage_code": stage_code})
    return list(rows.scalars().unique())


def case_counter_proposals(case: Case) -> list[CounterProposal]:
    """Every counter-proposal of the case, oldest first. One query."""
    return list(db.session.execute(
        select(CounterProposal).where(CounterProposal.case_id == case.id)
        .order_by(CounterProposal.created_at, CounterProposal.id)).scalars().unique())


def open_counter_proposals(case: Case) -> list[CounterProposal]:
    """Unanswered and not withdrawn: these keep the alternatives stage from completing."""
    return [p for p in case_counter_proposals(case) if p.is_open]


def revisions_of(comment: Comment) -> list[CommentRevision]:
    """A comment's earlier texts, oldest first. One query."""
    return list(db.session.execute(
        select(CommentRevision).where(CommentRevision.comment_id == comment.id).order_by(CommentRevision.id)
    ).scalars())


def panel(user: User, case: Case, stage: str | None = None) -> DiscussionPanel:
    """The discussion of every stage for `user` (or of `stage` only, as its own view shows it): the
    same few queries for all stages together."""
    shown = tuple(STAGES) if stage is None else (Stage(stage),)
    may_comment = policy.can_comment(user, case)
    may_propose = policy.can_submit_counter_proposal(user, case)
    may_answer = policy.can_answer_counter_proposal(user, case)
    by_stage: dict[str, list[CommentRow]] = {code: [] for code in STAGES}
    for comment in case_comments(case, stage):
        by_stage.setdefault(comment.stage_code, []).append(CommentRow(
            comment,
            can_edit=policy.comment_editable(comment, user.id, may_comment=may_comment),
            can_withdraw=policy.comment_withdrawable(comment, user.id, may_comment=may_comment,
                                                     archived=case.is_archived)))
    proposals = tuple(
        ProposalRow(p, can_answer=may_answer and p.is_open,
                    can_withdraw=policy.proposal_withdrawable(p, user.id, archived=case.is_archived))
        for p in (case_counter_proposals(case) if COUNTER_PROPOSAL_STAGE in shown else ()))
    stages = {
        code: StageDiscussion(
            case_id=case.id, stage=code, stage_label=stage_label(code), comments=tuple(by_stage[code]),
            proposals=proposals if code == COUNTER_PROPOSAL_STAGE else (),
            has_proposals=code == COUNTER_PROPOSAL_STAGE,
            can_comment=may_comment and policy.stage_open_for_comments(case, code),
            can_propose=may_propose and code == COUNTER_PROPOSAL_STAGE)
        for code in shown
    }
    return DiscussionPanel(case_id=case.id, stages=stages)


_PROPOSALS_TO_ANSWER = (
    select(CounterProposal.id, CounterProposal.title, CounterProposal.created_at, Case.id, Case.diary_number,
           Case.title)
    .join(Case, Case.id == CounterProposal.case_id)
    .where(Case.responsible_hr_id == bindparam("user_id"), Case.status != CaseStatus.ARCHIVED,
           CounterProposal.answered_at.is_(None), CounterProposal.withdrawn_at.is_(None))
    .order_by(CounterProposal.created_at, CounterProposal.id))


def counter_proposals_to_answer_for(user: User) -> list[Task]:
    """Open counter-proposals (unanswered, not withdrawn) in the cases `user` is the responsible HR
    officer of: the employer owes each a reasoned answer. One query."""
    if not user.has_role(Role.HR_OFFICER):
        return []
    rows = db.session.execute(_PROPOSALS_TO_ANSWER, {"user_id": user.id}).all()
    return [Task(TaskKind.ANSWER_COUNTER_PROPOSAL, f"counter_proposal:{pid}", case_id, diary, case_title,
                 app_path("discussion.stage", f"counter-proposal-{pid}", case_id=case_id,
                          stage=COUNTER_PROPOSAL_STAGE),
                 since=created, params={"proposal": title})
            for pid, title, created, case_id, diary, case_title in rows]
