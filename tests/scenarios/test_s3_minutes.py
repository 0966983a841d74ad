"""S3: the union refuses to approve the minutes (profile se-mbl).

1. The closing meeting's minutes are drafted; the employer's signatory approves version 1.
2. The union's signatory refuses, with a written objection.
3. The minutes cannot be marked approved; the case shows "disputed" and the objection.
4. The employer ends the negotiation by written notice; the end time is recorded.
(5. The exported record is the EXPORTS helper's test.)
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.meetings.models import MinutesStatus
from tracker.steering.models import Party

OBJECTION = "§ 4 återger inte personalens ståndpunkt om bemanningen; vi justerar inte."


def login(web, user, password):
    web.client = web.client.application.test_client()
    assert web.login(user.email, password).status_code == 302


def test_s3_union_refuses_minutes(app, web, factory):
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile="se-mbl", title="Omorganisation av städenheten")
    employer_signatory = factory.user("decision_maker", name="Daniel Ek")
    union_signatory = factory.user("union_rep", name="Ulla Nieminen")
    safety = factory.user("safety_rep", name="Sami Järvinen")
    factory.member(case, hr, Party.EMPLOYER, role="chair")
    factory.member(case, employer_signatory, Party.EMPLOYER, role="signatory")
    factory.member(case, union_signatory, Party.PERSONNEL, role="signatory")
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative")

    # The closing meeting, held yesterday; HR drafts the minutes over HTTP.
    yesterday = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    meeting = meetings.schedule_meeting(hr, case, title="Avslutande förhandling", starts_at=yesterday,
                                        ends_at=yesterday + timedelta(hours=2), place="Stadshuset",
                                        stages=["closing"])
    db.session.commit()
    login(web, hr, factory.password)
    page = f"/meetings/{meeting.id}"
    body = "§ 1 Mötet öppnas.\n§ 4 Parterna är överens om bemanningen.\n§ 5 Förhandlingen avslutas."
    assert web.post(f"/meetings/{meeting.id}/minutes", {"body": body, "base_version": "0"},
                    token_from=page).status_code == 302
    assert web.post(f"/meetings/{meeting.id}/minutes/submit", {}, token_from=page).status_code == 302
    minutes = meetings.minutes_of(meeting)
    v1 = minutes.current_version
    assert v1.number == 1 and minutes.status == MinutesStatus.AWAITING_APPROVAL

    # 1. The employer's signatory approves version 1 (password re-entered).
    login(web, employer_signatory, factory.password)
    assert web.post(f"/minutes/versions/{v1.id}/approve",
                    {"approve-password": factory.password, "approve-sha256": v1.sha256},
                    token_from=page).status_code == 302

    # 2. The union's signatory refuses with a written objection.
    login(web, union_signatory, factory.password)
    assert web.post(f"/minutes/versions/{v1.id}/refuse",
                    {"refuse-objection": OBJECTION, "refuse-password": factory.password,
                     "refuse-sha256": v1.sha256}, token_from=page).status_code == 302

    # 3. The minutes cannot be marked approved.
    db.session.expire_all()
    minutes = meetings.minutes_of(meeting)
    assert minutes.status == MinutesStatus.DISPUTED and minutes.approved_at is None
    with pytest.raises(Conflict):  # the union cannot change its mind on the same version
        meetings.approve_minutes(union_signatory, minutes.current_version, password=factory.password)
    db.session.rollback()
    assert meetings.minutes_of(meeting).status == MinutesStatus.DISPUTED

    # The case page shows "disputed" and the objection.
    login(web, hr, factory.password)
    case_page = web.client.get(f"/cases/{case.id}")
    assert case_page.status_code == 200
    html = case_page.get_data(as_text=True)
    assert "Omtvistat" in html
    assert "§ 4 återger inte personalens ståndpunkt om bemanningen; vi justerar inte." in html
    assert "Ulla Nieminen" in html

    # Approval and refusal are bound to version 1 and its hash, and audited.
    signatures = meetings.signatures_of(minutes)
    assert [(s.signer_id, s.decision, s.version_id, s.sha256) for s in signatures] == [
        (employer_signatory.id, "approved", v1.id, v1.sha256),
        (union_signatory.id, "refused", v1.id, v1.sha256),
    ]
    assert signatures[1].objection == OBJECTION
    actions = list(db.session.execute(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)).scalars())
    for action in ("meeting.scheduled", "minutes.drafted", "minutes.submitted", "minutes.approved",
                   "minutes.refused"):
        assert action in actions

    # 4. The employer ends the negotiation by written notice; the end time is recorded.
    from tests.procedure.helpers import complete_early_information, walk_to
    from tracker.procedure import services as ps

    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    ended_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    record = ps.end_negotiation(hr, case, end_mode="written_notice", ended_at=ended_at, notice_by="employer",
                                employer_position="Genomför omorganisationen",
                                personnel_position="Emot; protokollet är inte justerat")
    db.session.commit()
    assert record.negotiation_ended_at == ended_at and record.end_mode == "written_notice"
    assert "negotiation.ended" in db.session.execute(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq.desc())
    ).scalars().first()
    # The disputed minutes stay disputed: ending the negotiation does not approve them.
    assert meetings.minutes_of(meeting).status == MinutesStatus.DISPUTED
