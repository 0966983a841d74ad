"""The reads behind the decision statement (`tracker.procedure.statement`): one function,
`statement_facts(case)`, a fixed number of queries whatever the number of meetings or events.

Secret documents are left out of the evidence (the decision paper is public); every other
document is cited by its newest available version's SHA-256.
"""
from __future__ import annotations

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.cases.models import Case
from tracker.documents.models import Classification, Document
from tracker.extensions import db
from tracker.meetings.models import (
    Meeting,
    Minutes,
    MinutesSignature,
    MinutesStatus,
    MinutesVersion,
    SignatureDecision,
)
from tracker.procedure import statement as st
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.facts import central_requests_of, overrides_of
from tracker.procedure.models import StagePosition, StageRecord
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.timeutil import local_date, utcnow

CITED_ACTIONS = tuple(("negotiation.ended", "minutes.approved", "central_negotiation.requested",
                       "central_negotiation.ended", "deadline.overridden", "urgent_decision.recorded",
                       "stage.reopened"))


def _profile_name(case: Case) -> str:
    try:
        from flask_babel import get_locale

        locale = str(get_locale() or "sv")
        return get_profile(case.profile_code).display_name(locale.split("_")[0])
    except ProfileError:
        return case.profile_code


def _minutes(case: Case) -> tuple[st.MinutesFact, ...]:
    rows = db.session.execute(
        select(Minutes, Meeting.title, MinutesVersion.number, MinutesVersion.sha256)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(MinutesVersion, MinutesVersion.id == Minutes.current_version_id)
        .where(Minutes.case_id == case.id, Meeting.cancelled_at.is_(None)).order_by(Meeting.starts_at)
    ).all()
    version_ids = [m.current_version_id for m, *_rest in rows]
    signers: dict[int, list[tuple[str, str]]] = {}
    if version_ids:
        for sig in db.session.execute(select(MinutesSignature).where(
                MinutesSignature.version_id.in_(version_ids), MinutesSignature.voided_at.is_(None),
                MinutesSignature.decision == SignatureDecision.APPROVED).order_by(MinutesSignature.id)).scalars():
            signers.setdefault(sig.version_id, []).append((sig.signer.name, str(sig.party)))
    out = []
    for minutes, title, number, sha in rows:
        approved = minutes.approved_at if minutes.status == MinutesStatus.APPROVED else None
        out.append(st.MinutesFact(title, number, sha, local_date(approved) if approved else None,
                                  tuple(signers.get(minutes.current_version_id or 0, ()))))
    return tuple(out)


def _documents(case: Case) -> tuple[st.DocumentRef, ...]:
    docs = db.session.execute(select(Document).where(
        Document.case_id == case.id, Document.classification != Classification.SECRET).order_by(Document.id)
    ).scalars().unique()
    out = []
    for doc in docs:
        version = doc.latest_available_version
        if version is not None and version.sha256:
            out.append(st.DocumentRef(doc.title, version.number, version.sha256))
    return tuple(out)


def _dissents(case: Case) -> tuple[st.DissentFact, ...]:
    rows = db.session.execute(
        select(StageRecord.stage_code, StagePosition.party)
        .join(StageRecord, StageRecord.id == StagePosition.stage_record_id)
        .where(StagePosition.case_id == case.id, StagePosition.dissent.is_(True), StageRecord.superseded_at.is_(None))
        .order_by(StagePosition.id)
    ).all()
    return tuple(dict.fromkeys(st.DissentFact(str(stage), str(party)) for stage, party in rows))


def statement_facts(case: Case) -> st.StatementFacts:
    """Everything the decision statement of `case` says."""
    records = list(db.session.execute(select(StageRecord).where(StageRecord.case_id == case.id)).scalars().unique())
    current = {Stage(r.stage_code): r for r in records if r.superseded_at is None}
    starts = [r.started_at for r in records if r.started_at is not None]
    closing = current.get(Stage.CLOSING)
    ended = closing.negotiation_ended_at if closing and closing.status == StageStatus.COMPLETED else None
    now = utcnow()
    meetings = db.session.execute(select(Meeting).where(
        Meeting.case_id == case.id, Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)
        .order_by(Meeting.starts_at)).scalars().unique()
    events = db.session.execute(select(AuditEvent.action, AuditEvent.seq).where(
        AuditEvent.case_id == case.id, AuditEvent.action.in_(CITED_ACTIONS)).order_by(AuditEvent.seq)).all()
    rounds = max((r.round for r in records), default=1)
    return st.StatementFacts(
        diary_number=case.diary_number, title=case.title, profile_name=_profile_name(case),
        started_on=local_date(min(starts)) if starts else None,
        ended_on=local_date(ended) if ended else None,
        end_mode=str(closing.end_mode) if closing and closing.end_mode and ended else None,
        notice_by=(closing.content or {}).get("notice_by") if closing and ended else None,
        meetings=tuple(st.MeetingFact(m.title, local_date(m.starts_at), tuple(m.stages or ())) for m in meetings),
        minutes=_minutes(case),
        dissents=_dissents(case),
        central=tuple(st.CentralFact(local_date(r.requested_at), r.timely,
                                     local_date(r.ended_at) if r.ended_at and r.timely else None, r.outcome or "")
                      for r in central_requests_of(case)),
        deviations=tuple(st.DeviationFact(str(o.deadline_code), o.reason, local_date(o.at), o.by.name)
                         for o in overrides_of(case)),
        urgent_reason=case.urgent_reason,
        urgent_on=local_date(case.urgent_recorded_at) if case.urgent_recorded_at else None,
        rounds=rounds,
        documents=_documents(case),
        audit=tuple(st.AuditRef(action, seq) for action, seq in events),
    )


def decision_statement(case: Case) -> st.Statement:
    """The composed statement of `case` in the current language."""
    return st.compose(statement_facts(case))
