"""Issue 17: every event that gives someone a task notifies them; the notification is done when the
task is; it reads in the reader's language; the list groups and filters; the daily digest."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import counting_queries
from tests.meetings.helpers import meeting, signed_case
from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.auth.services import set_locale
from tracker.discussion import services as ds
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.notifications import queries, services
from tracker.notifications.labels import message
from tracker.notifications.models import MailState, Notification, NotificationKind
from tracker.procedure import services as ps
from tracker.risk import services as rs
from tracker.steering.models import Party


def of(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def login(web, user, factory):
    web.client = web.client.application.test_client()
    assert web.login(user.email, factory.password).status_code == 302


def _submitted(s, title="Förhandlingsmöte"):
    m = meeting(s, title=title)
    meetings.save_minutes(s.hr, m, "Protokoll")
    minutes = meetings.minutes_of(m)
    meetings.submit_minutes(s.hr, minutes)
    db.session.flush()
    return m, minutes


def test_counter_proposal_tells_the_hr_owner(app, factory):
    case = factory.case(title="Kök")
    union, _safety = staff(factory, case)
    proposal = ds.submit_counter_proposal(union, case, title="Behåll köket", body="Behåll köket i egen regi")
    [n] = of(case.responsible_hr, NotificationKind.COUNTER_PROPOSAL_SUBMITTED)
    assert n.task_key == f"counter_proposal:{proposal.id}" and n.params["proposal"] == "Behåll köket"
    assert union.name in message(n.kind, n.params) and "Behåll köket" in message(n.kind, n.params)
    assert of(union, NotificationKind.COUNTER_PROPOSAL_SUBMITTED) == []


def test_refused_minutes_tell_the_hr_owner_and_approval_is_resolved(app, factory):
    s = signed_case(factory)
    m, minutes = _submitted(s, "Avslutande förhandling")
    version = minutes.current_version
    meetings.refuse_minutes(s.union_signatory, version, password=factory.password, objection="Punkt 3 fel")
    [n] = of(s.hr, NotificationKind.MINUTES_REFUSED)
    assert n.task_key == f"minutes_refused:{version.id}" and n.url == f"/meetings/{m.id}#minutes"
    assert "Ulla Nieminen" in message(n.kind, n.params)
    # The employer signatory still has to take a position; a new version supersedes both tasks.
    from tracker.home.queries import todo_for

    [waiting] = of(s.employer_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)
    keys = todo_for(s.employer_signatory).keys
    with counting_queries() as statements:
        assert services.resolve_done(s.employer_signatory, keys) == 0
    # Nothing done since the last look: a read, no UPDATE (the home page runs this on every view).
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    db.session.refresh(waiting)
    assert waiting.resolved_at is None
    meetings.save_minutes(s.hr, m, "Protokoll, punkt 3 rättad")
    for user, kind in ((s.employer_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL),
                       (s.hr, NotificationKind.MINUTES_REFUSED)):
        assert services.resolve_done(user, todo_for(user).keys) == 1
        [done] = of(user, kind)
        db.session.refresh(done)
        assert done.is_done and done.is_read


def test_approval_resolves_waiting_for_your_approval(app, web, factory):
    s = signed_case(factory)
    _m, minutes = _submitted(s)
    db.session.commit()
    login(web, s.union_signatory, factory)
    html = web.client.get("/notifications?state=open").get_data(as_text=True)
    assert "väntar på din justering" in html
    meetings.approve_minutes(s.union_signatory, minutes.current_version, password=factory.password)
    db.session.commit()
    html = web.client.get("/notifications?state=open").get_data(as_text=True)
    assert "väntar på din justering" not in html and "Inga aviseringar matchar filtret." in html
    html = web.client.get("/notifications").get_data(as_text=True)
    assert "väntar på din justering" in html and "Klart" in html
    [n] = of(s.union_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)
    db.session.refresh(n)
    assert n.is_done and n.is_read
    assert queries.unread_count(s.union_signatory) == len(of(s.union_signatory, NotificationKind.MEMBER_ADDED))


def _badge(html: str) -> int:
    import re

    return int(re.search(r'<span class="badge"[^>]*>(\d+)</span>', html).group(1))


def test_approving_over_http_takes_the_task_off_the_badge_at_once(app, web, factory):
    """The badge on the very next page counts the approval as done, before any visit to the home
    page or the notification list (where done tasks used to be resolved)."""
    s = signed_case(factory)
    m, minutes = _submitted(s)
    db.session.commit()
    login(web, s.union_signatory, factory)
    page = f"/meetings/{m.id}"
    before = _badge(web.client.get(page).get_data(as_text=True))
    version = minutes.current_version
    response = web.post(f"/minutes/versions/{version.id}/approve", {
        "approve-password": factory.password, "approve-sha256": version.sha256}, token_from=page)
    assert response.status_code == 302
    assert _badge(web.client.get(page).get_data(as_text=True)) == before - 1
    [n] = of(s.union_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)
    db.session.refresh(n)
    assert n.is_done and n.is_read
    # A refused write (wrong password) rolls back and resolves nothing.
    other_m, other = _submitted(s, title="Andra mötet")
    db.session.commit()
    v2 = other.current_version
    waiting = of(s.union_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)[-1]
    bad = web.post(f"/minutes/versions/{v2.id}/approve", {"approve-password": "wrong", "approve-sha256": v2.sha256},
                   token_from=f"/meetings/{other_m.id}")
    assert bad.status_code == 400
    db.session.refresh(waiting)
    assert not waiting.is_done


def test_risk_assessment_waits_for_safety_rep_and_cosign_tells_hr(app, factory):
    case = factory.case()
    union, safety = staff(factory, case)
    assessment = rs.create_assessment(case.responsible_hr, case, summary="Analys gjord")
    [n] = of(safety, NotificationKind.RISK_AWAITING_COSIGN)
    assert n.task_key == f"risk:{assessment.id}" and n.url == f"/cases/{case.id}/risk#cosign"
    assert of(union, NotificationKind.RISK_AWAITING_COSIGN) == []  # not a safety representative
    rs.cosign(safety, assessment, password=factory.password)
    [signed] = of(case.responsible_hr, NotificationKind.RISK_COSIGNED)
    assert signed.task_key is None and safety.name in message(signed.kind, signed.params)


def test_central_negotiation_window_and_request(app, factory):
    case = factory.case(profile="se-mbl")
    union, safety = staff(factory, case)
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password,
            end_mode="disagreement")
    [window] = of(union, NotificationKind.CENTRAL_WINDOW_OPEN)
    assert window.task_key.startswith(f"central_window:{case.id}:") and window.params["due"]
    request = ps.request_central_negotiation(union, case)
    [n] = of(case.responsible_hr, NotificationKind.CENTRAL_NEGOTIATION_REQUESTED)
    assert n.task_key == f"central:{request.id}" and union.name in message(n.kind, n.params)


def test_notifications_read_in_the_readers_language(app, web, factory):
    s = signed_case(factory)
    _submitted(s, "Avslutande förhandling")
    set_locale(s.union_signatory, "en")
    db.session.commit()
    login(web, s.union_signatory, factory)
    html = web.client.get("/notifications").get_data(as_text=True)
    assert "await your approval" in html and "väntar på din justering" not in html
    login(web, s.employer_signatory, factory)
    assert "väntar på din justering" in web.client.get("/notifications").get_data(as_text=True)


def test_list_grouped_per_case_and_filtered(app, web, factory):
    hr = factory.user("hr_officer")
    first = factory.case(hr=hr, title="Köket")
    second = factory.case(hr=hr, title="Städet")
    union = factory.user("union_rep")
    factory.member(first, union, Party.PERSONNEL)
    factory.member(second, union, Party.PERSONNEL, role="signatory")
    db.session.commit()
    login(web, union, factory)
    html = web.client.get("/notifications").get_data(as_text=True)
    assert f'id="group-{first.id}"' in html and f'id="group-{second.id}"' in html
    assert f"{first.diary_number} Köket" in html
    html = web.client.get(f"/notifications?case={first.id}").get_data(as_text=True)
    assert f'id="group-{first.id}"' in html and f'id="group-{second.id}"' not in html
    html = web.client.get("/notifications?kind=minutes_awaiting_approval").get_data(as_text=True)
    assert "Inga aviseringar matchar filtret." in html
    assert web.post("/notifications/read-all", {}, token_from="/notifications").status_code == 302
    assert "Inga aviseringar matchar filtret." in web.client.get("/notifications?state=unread").get_data(as_text=True)
    # nonsense filters are ignored, not errors
    assert web.client.get("/notifications?case=abc&kind=nope&state=x&page=-3").status_code == 200


def test_digest_preference_and_digest_mail(app, web, factory, smtp, runner):
    s = signed_case(factory)
    db.session.commit()
    login(web, s.union_signatory, factory)
    response = web.post("/notifications/preferences", {"daily_digest": "y"}, token_from="/notifications")
    assert response.status_code == 302
    assert queries.takes_daily_digest(s.union_signatory)
    set_locale(s.union_signatory, "en")
    db.session.commit()
    smtp.messages.clear()
    _submitted(s, "Avslutande förhandling")
    db.session.commit()
    # one mail each for the employer signatory, nothing yet for the digest reader
    assert smtp.to(s.employer_signatory.email) and not smtp.to(s.union_signatory.email)
    [n] = of(s.union_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)
    assert n.mail_state == MailState.DIGEST
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and "1 of 1 mailed" in result.output, result.output
    [digest] = smtp.to(s.union_signatory.email)
    assert digest["Subject"] == "Samverkan: Today's summary"
    body = digest.get_payload(decode=True).decode()
    assert "To do (1)" in body and "Approve the minutes of the meeting Avslutande förhandling (version 1)" in body
    assert "https://samverkan.example.org/meetings/" in body and s.case.diary_number in body
    again = runner.invoke(args=["notifications", "digest"])
    assert "0 of 0 mailed" in again.output and len(smtp.to(s.union_signatory.email)) == 1
    db.session.expire_all()
    assert db.session.get(Notification, n.id).mail_state == MailState.SENT


def test_turning_the_digest_off_mails_what_waited(app, factory, smtp):
    s = signed_case(factory)
    services.set_daily_digest(s.union_signatory, True)
    _submitted(s)
    db.session.commit()
    [n] = of(s.union_signatory, NotificationKind.MINUTES_AWAITING_APPROVAL)
    assert n.mail_state == MailState.DIGEST
    services.set_daily_digest(s.union_signatory, False)
    db.session.commit()
    from tracker.notifications import mail

    assert mail.send_pending() >= 1
    assert smtp.to(s.union_signatory.email)


def test_mail_in_the_recipients_language(app, factory, smtp):
    s = signed_case(factory)
    set_locale(s.union_signatory, "en")
    db.session.commit()
    smtp.messages.clear()
    with force_locale("sv"):  # whoever acts, in whatever language
        _submitted(s, "Avslutande förhandling")
        db.session.commit()
    [mail] = smtp.to(s.union_signatory.email)
    assert mail["Subject"] == "Samverkan: Minutes await your approval"
    [swedish] = smtp.to(s.employer_signatory.email)
    assert swedish["Subject"] == "Samverkan: Protokoll väntar på din justering"


def test_digest_command_needs_smtp(app, runner):
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code != 0 and "SMTP_HOST" in result.output


def test_notify_due_reminder_is_done_when_deadline_passes(app, factory):
    from tracker.home.queries import todo_for

    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    decided = (datetime.now(UTC) - timedelta(days=190)).date()
    ps.register_decision(dm, case, body="KS", decided_on=decided, reference="§ 1",
                         override_reason="Brådskande av budgetskäl")
    services.notify_due()
    [n] = of(case.responsible_hr, NotificationKind.EVALUATION_OVERDUE)
    assert n.params["deadline"] == "evaluation_due"
    assert "försenad" in message(n.kind, n.params)
    assert todo_for(case.responsible_hr).tasks


def test_decision_maker_told_once_when_decision_is_possible(app, factory, runner):
    case = factory.case(profile="se-mbl")
    _union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password, end_mode="agreement")
    [n] = of(dm, NotificationKind.DECISION_POSSIBLE)
    assert n.task_key == f"decision:{case.id}" and n.url == f"/cases/{case.id}/stages/decision#stage-actions"
    assert of(case.responsible_hr, NotificationKind.DECISION_POSSIBLE) == []  # not a decision maker
    services.notify_due()  # the daily run finds the same task: no second notification
    assert len(of(dm, NotificationKind.DECISION_POSSIBLE)) == 1
    ps.register_decision(dm, case, body="KS", decided_on=datetime.now(UTC).date(), reference="§ 1")
    from tracker.home.queries import todo_for

    assert services.resolve_done(dm, todo_for(dm).keys) >= 1
    db.session.refresh(n)
    assert n.is_done


def test_decision_possible_after_the_central_window_comes_from_notify_due(app, factory):
    case = factory.case(profile="se-mbl")
    union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password,
            end_mode="disagreement")
    assert of(dm, NotificationKind.DECISION_POSSIBLE) == []  # the window locks the decision
    later = datetime.now(UTC).date() + timedelta(days=60)
    services.notify_due(later)
    [n] = of(dm, NotificationKind.DECISION_POSSIBLE)
    assert "Inget hindrar längre beslutet" in message(n.kind, n.params)


def test_assigned_decision_maker_outside_the_group_is_told_and_sees_the_task(app, factory):
    from tracker.cases.models import CaseDecisionMaker
    from tracker.home.queries import todo_for

    case = factory.case(profile="se-mbl")
    _union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    db.session.add(CaseDecisionMaker(case_id=case.id, user_id=dm.id, assigned_by_id=case.responsible_hr_id))
    db.session.flush()
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password)
    [n] = of(dm, NotificationKind.DECISION_POSSIBLE)
    assert n.task_key in todo_for(dm).keys
