"""Everything sent to a person is in their language (`locale_for`): the notification's text, the
mail's subject and footer, and the deadline reminders; whoever triggered it."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from tracker.auth import services as auth_services
from tracker.extensions import db
from tracker.i18n import locale_for
from tracker.notifications.labels import message
from tracker.notifications.models import Notification, NotificationKind
from tracker.notifications.services import due_reminders
from tracker.steering.models import Party


def read_by(user, kind, params) -> str:
    """The sentence as `user` reads it (notifications store a code and parameters, not text)."""
    with force_locale(locale_for(user)):
        return message(kind, params)


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
    text = read_by(union, n.kind, n.params)
    assert text.startswith("Sinut on lisätty asian") and "ohjausryhmään" in text
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
    text = {uid: read_by(r.user, r.kind, r.params) for uid, r in reminders.items()}
    assert text[union.id].startswith("Aikaisin mahdollinen ensimmäinen kokous asiassa")
    assert "2 päivän kuluttua" in text[union.id]
    assert text[safety.id].startswith("Tidigaste första möte i") and "om 2 dagar" in text[safety.id]
    assert "om 2 dagar" in text[case.responsible_hr_id]  # no choice: the organisation's default
    assert {r.kind for r in reminders.values()} == {NotificationKind.DEADLINE_SOON}
