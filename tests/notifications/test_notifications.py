"""Notifications: signals become in-app notifications and real e-mail; `notify due` reminders."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.meetings.helpers import meeting, signed_case
from tracker import signals
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.notifications import mail, queries
from tracker.notifications.labels import message
from tracker.notifications.models import MailState, Notification, NotificationKind
from tracker.steering.models import Party


def text(n: Notification) -> str:
    """The notification's sentence in the current language (Swedish outside a request)."""
    return message(n.kind, n.params)


def of(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def login(web, user, factory):
    web.client = web.client.application.test_client()
    assert web.login(user.email, factory.password).status_code == 302


def test_member_added_notifies_and_mails(app, factory, smtp):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr, title="Sammanslagning av kök")
    union = factory.user("union_rep", email="ulla@example.org")
    factory.member(case, union, Party.PERSONNEL, role="signatory")
    db.session.commit()  # mail goes out after the commit (factories only flush)
    [n] = of(union, NotificationKind.MEMBER_ADDED)
    assert case.diary_number in text(n) and "justerare" in text(n)
    assert n.case_id == case.id and n.mail_state == MailState.SENT and n.emailed_at is not None
    [mail] = smtp.to("ulla@example.org")
    assert mail["From"] == "samverkan@example.org"
    assert mail["Subject"] == "Samverkan: Du har lagts till i en styrnings- och uppföljningsgrupp"
    body = mail.get_payload(decode=True).decode()
    assert "Sammanslagning av kök" in body and "https://samverkan.example.org/" in body
    assert of(hr) == []  # the actor is not notified of their own action


def test_mail_off_without_smtp_host(app, factory):
    assert not app.config.get("SMTP_HOST")
    case = factory.case()
    union = factory.user("union_rep")
    factory.member(case, union, Party.PERSONNEL)
    [n] = of(union)
    assert n.mail_state == MailState.OFF and n.emailed_at is None


def test_rolled_back_action_mails_nobody(app, factory, smtp):
    case = factory.case()
    union = factory.user("union_rep")
    from tracker.steering.services import add_member

    add_member(case.responsible_hr, case, union, party=Party.PERSONNEL)
    db.session.rollback()
    assert of(union) == [] and smtp.messages == []


def test_stage_changes_notify_nobody(app, factory):
    """Issue 17: a stage change is no one's task; 50-70 such cards buried the few that mattered."""
    s = signed_case(factory)
    db.session.commit()
    before = {u.id: len(of(u)) for u in (s.hr, s.employer_signatory, s.union_signatory, s.member)}
    signals.stage_changed.send(s.case, actor=s.hr, stage="grounds", change="started")
    db.session.commit()
    assert {u.id: len(of(u)) for u in (s.hr, s.employer_signatory, s.union_signatory, s.member)} == before
    assert of(s.union_signatory, NotificationKind.STAGE_CHANGED) == []


def test_text_rendered_in_readers_language_not_stored(app, factory):
    s = signed_case(factory)
    [n] = of(s.union_signatory, NotificationKind.MEMBER_ADDED)
    assert not hasattr(n, "text")
    assert n.params == {"case": s.case.diary_number, "title": s.case.title, "role": "signatory"}
    from flask_babel import force_locale

    with force_locale("en"):
        english = text(n)
    assert "justerare" in text(n) and "signatory" in english and "Du har" not in english


def test_minutes_awaiting_approval_notifies_signatories(app, factory, smtp):
    s = signed_case(factory)
    m = meeting(s, title="Avslutande förhandling")
    meetings.save_minutes(s.hr, m, "Protokoll")
    meetings.submit_minutes(s.hr, meetings.minutes_of(m))
    db.session.commit()
    for signer in (s.employer_signatory, s.union_signatory):
        [n] = of(signer, NotificationKind.MINUTES_AWAITING_APPROVAL)
        assert n.url == f"/meetings/{m.id}#minutes" and "Avslutande förhandling" in text(n)
        assert n.task_key == f"minutes:{m.id and meetings.minutes_of(m).current_version_id}"
        assert [mail["Subject"] for mail in smtp.to(signer.email)][-1] == "Samverkan: Protokoll väntar på din justering"
    assert of(s.member, NotificationKind.MINUTES_AWAITING_APPROVAL) == []


def test_list_mark_read_and_header_count(app, web, factory):
    case = factory.case()
    union = factory.user("union_rep")
    factory.member(case, union, Party.PERSONNEL)
    from tracker.notifications.services import notify

    notify(union, NotificationKind.DEADLINE_SOON, {"deadline": "evaluation_due", "due": "2026-12-24", "days": 2},
           case=case, url=f"/cases/{case.id}")
    db.session.commit()
    first, second = of(union)
    login(web, union, factory)
    html = web.client.get("/notifications").get_data(as_text=True)
    assert text(first) in html and text(second) in html and "Oläst" in html
    assert 'aria-label="2 olästa"' in html
    response = web.post(f"/notifications/{first.id}/read", {"open": "1"}, token_from="/notifications")
    assert response.status_code == 302 and response.headers["Location"] == first.url
    html = web.client.get("/notifications").get_data(as_text=True)
    assert 'aria-label="1 olästa"' in html
    assert web.post("/notifications/read-all", {}, token_from="/notifications").status_code == 302
    assert queries.unread_count(union) == 0
    # someone else's notification: 404, unchanged
    other = factory.user("union_rep")
    factory.member(case, other, Party.PERSONNEL)
    [theirs] = of(other)
    assert web.post(f"/notifications/{theirs.id}/read", {}, token_from="/notifications").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    # without a CSRF token nothing happens
    assert web.client.post(f"/notifications/{theirs.id}/read").status_code == 400
    web.client = web.client.application.test_client()
    assert web.client.get("/notifications").status_code == 302


def _fi_case_with_proposal(factory):
    from tests.procedure.helpers import complete_early_information, staff

    case = factory.case(profile="fi-municipal", may_reduce_staff=True, staff_affected=8, title="Lomautukset")
    union, safety = staff(factory, case)
    complete_early_information(case, case.responsible_hr,
                               proposal_at=datetime.now(UTC) - timedelta(days=1))
    return case, union, safety


def test_notify_due_reminds_once(app, factory, runner, smtp):
    from tracker.procedure.services import deadlines_for

    case, union, safety = _fi_case_with_proposal(factory)
    db.session.commit()  # the setup's own mail goes out now (factories only flush)
    [first_meeting] = [d for d in deadlines_for(case) if d.code == "earliest_first_meeting"]
    smtp.messages.clear()
    today = first_meeting.due - timedelta(days=2)
    result = runner.invoke(args=["notify", "due", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert "3 new, 0 already sent, 3 mailed" in result.output
    [n] = of(union, NotificationKind.DEADLINE_SOON)
    assert case.diary_number in text(n) and "om 2 dagar" in text(n)
    assert n.params["due"] == first_meeting.due.isoformat() and n.params["deadline"] == "earliest_first_meeting"
    assert n.dedup_key == f"deadline:{union.id}:{case.id}:earliest_first_meeting:{first_meeting.due.isoformat()}"
    assert len(smtp.messages) == 3
    assert {m["To"] for m in smtp.messages} == {union.email, safety.email, case.responsible_hr.email}
    again = runner.invoke(args=["notify", "due", "--today", today.isoformat()])
    assert "0 new, 3 already sent, 0 mailed" in again.output
    assert len(smtp.messages) == 3
    # the next day is the same deadline: no new reminder either
    runner.invoke(args=["notify", "due", "--today", (today + timedelta(days=1)).isoformat()])
    assert len(smtp.messages) == 3
    # too early: nothing
    far = first_meeting.due - timedelta(days=4)
    assert "0 new, 0 already sent" in runner.invoke(args=["notify", "due", "--today", far.isoformat()]).output


def test_notify_due_overdue_evaluation(app, factory, runner):
    from tracker.procedure import services as ps

    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union = factory.user("union_rep")
    factory.member(case, union, Party.PERSONNEL)
    decided = date.today()
    ps.register_decision(dm, case, body="KS", decided_on=decided, reference="§ 1",
                         override_reason="Brådskande av budgetskäl")
    db.session.commit()
    [evaluation] = [d for d in ps.deadlines_for(case) if d.code == "evaluation_due"]
    late = evaluation.due + timedelta(days=1)
    result = runner.invoke(args=["notify", "due", "--today", late.isoformat()])
    assert result.exit_code == 0 and "e-mail off" in result.output
    [n] = of(union, NotificationKind.EVALUATION_OVERDUE)
    assert "försenad" in text(n)
    assert {x.user_id for x in db.session.execute(select(Notification).where(
        Notification.kind == NotificationKind.EVALUATION_OVERDUE)).scalars()} == {union.id, dm.id,
                                                                                  case.responsible_hr_id}
    runner.invoke(args=["notify", "due", "--today", late.isoformat()])
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == NotificationKind.EVALUATION_OVERDUE)).scalar_one() == 3


def test_notify_due_bad_date(app, runner):
    result = runner.invoke(args=["notify", "due", "--today", "31-12-2026"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_failed_mail_is_retried(app, factory, smtp):
    case = factory.case()
    union = factory.user("union_rep")
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = 1  # nothing listens there
    factory.member(case, union, Party.PERSONNEL)
    db.session.commit()  # mail is attempted after the commit (factories only flush)
    [n] = of(union)
    db.session.expire_all()
    n = db.session.get(Notification, n.id)
    assert n.mail_state == MailState.PENDING and n.mail_attempts == 1
    app.config["SMTP_PORT"] = port
    assert mail.send_pending() == 1
    db.session.expire_all()
    assert db.session.get(Notification, n.id).mail_state == MailState.SENT
    assert len(smtp.to(union.email)) == 1
