"""Everything sent to a person is in their language (`locale_for`): the notification's text, the
mail's subject and footer, and the deadline reminders; whoever triggered it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.auth import services as auth_services
from tracker.extensions import db
from tracker.notifications.models import Notification, NotificationKind
from tracker.notifications.services import due_reminders
from tracker.steering.models import Party


def _choose(user, locale: str) -> None:
    auth_services.set_locale(user, locale)
    db.session.flush()


def test_a_finnish_member_is_told_and_mailed_in_finnish(app, factory, smtp):
    hr = factory.user("hr_officer")  # Swedish
    case = factory.case(hr=hr, title="Keittiöiden yhdistäminen")
    union = factory.user("union_rep", email="paivi@example.org")
    _choose(union, "fi")
    factory.member(case, union, Party.PERSONNEL, role="signatory")
    db.session.commit()
    [n] = db.session.execute(select(Notification).where(Notification.user_id == union.id)).scalars()
    assert n.text.startswith("Sinut on lisätty asian") and "ohjausryhmään" in n.text
    [mail] = smtp.to("paivi@example.org")
    assert mail["Subject"] == "Samverkan: Sinut on lisätty ohjausryhmään"
    assert mail["Content-Language"] == "fi"
    body = mail.get_payload(decode=True).decode()
    assert "Viestin lähetti Samverkan." in body and "Meddelandet" not in body


def test_a_finland_swedish_member_reads_swedish_with_the_swedish_source_where_nothing_differs(app, factory, smtp):
    case = factory.case()
    safety = factory.user("safety_rep", email="asa@example.org")
    _choose(safety, "sv_FI")
    factory.member(case, safety, Party.PERSONNEL)
    db.session.commit()
    [mail] = smtp.to("asa@example.org")
    assert mail["Subject"] == "Samverkan: Du har lagts till i en styrnings- och uppföljningsgrupp"
    assert mail["Content-Language"] == "sv-FI"


def test_reminders_are_written_for_each_recipient_in_their_language(app, factory):
    from tests.notifications.test_notifications import _fi_case_with_proposal
    from tracker.procedure.services import deadlines_for

    case, union, safety = _fi_case_with_proposal(factory)
    _choose(union, "fi")
    _choose(safety, "sv_FI")
    [first_meeting] = [d for d in deadlines_for(case) if d.code == "earliest_first_meeting"]
    reminders = {r.user.id: r for r in due_reminders(first_meeting.due - timedelta(days=2)) if r.case_id == case.id}
    assert reminders[union.id].text.startswith("Aikaisin mahdollinen ensimmäinen kokous asiassa")
    assert "2 päivän kuluttua" in reminders[union.id].text
    assert reminders[safety.id].text.startswith("Tidigaste första möte i") and "om 2 dagar" in reminders[safety.id].text
    assert "om 2 dagar" in reminders[case.responsible_hr_id].text  # no choice: the organisation's default
    assert {r.kind for r in reminders.values()} == {NotificationKind.DEADLINE_SOON}
