"""Issue 15, finding 5: no iCalendar injection through a meeting's link, title or place."""
from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.meetings.helpers import at, meeting, signed_case
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.meetings import services
from tracker.meetings.ics import meeting_ics
from tracker.meetings.models import Meeting

EVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"}
INJECTED = "\r\nATTENDEE:mailto:evil@example.com\r\nX-EVIL:1"


def parsed_event(text: str):
    calendar = Calendar.from_ical(text)
    assert set(calendar.keys()) == {"VERSION", "PRODID", "CALSCALE", "METHOD"}
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and len(calendar.subcomponents) == 1
    return events[0]


def test_crlf_title_and_place_stay_inside_their_properties(app, factory):
    s = signed_case(factory)
    m = meeting(s, title="Möte" + INJECTED, place="Rum 3" + INJECTED)
    text = meeting_ics(m, case_label=s.case.diary_number, description="Grunder" + INJECTED)
    assert "\r\nATTENDEE" not in text and "\r\nX-EVIL" not in text
    event = parsed_event(text)
    assert set(event.keys()) == EVENT_PROPERTIES
    assert str(event["SUMMARY"]).startswith("Möte\n") and "ATTENDEE:mailto:evil@example.com" in str(event["SUMMARY"])
    assert str(event["LOCATION"]).startswith("Rum 3\n")


def test_crlf_link_stored_earlier_writes_no_extra_lines(app, factory):
    s = signed_case(factory)
    m = meeting(s, link="https://meet.example.com/abc")
    event = parsed_event(meeting_ics(m))
    assert set(event.keys()) == EVENT_PROPERTIES - {"DESCRIPTION"} | {"URL"}
    assert str(event["URL"]) == "https://meet.example.com/abc"
    # A link saved before links were validated: left out of the file, never written raw.
    m.link = "https://meet.example.com/abc" + INJECTED
    db.session.flush()
    text = meeting_ics(m)
    assert "ATTENDEE" not in text and "X-EVIL" not in text
    assert set(parsed_event(text).keys()) == EVENT_PROPERTIES - {"DESCRIPTION"}


@pytest.mark.parametrize("link", [
    "javascript:alert(1)",
    "https://meet.example.com/abc" + INJECTED,
    "https://meet.example.com/a b",
    "https://meet.example.com/\x00",
    "https://",
    "ftp://meet.example.com/",
    "https://meet.example.com/" + "a" * 500,
])
def test_service_refuses_unsafe_link(app, factory, link):
    s = signed_case(factory)
    with pytest.raises(ValidationFailed) as raised:
        services.schedule_meeting(s.hr, s.case, title="Möte", starts_at=at(1, 9), ends_at=at(1, 10), place="",
                                  link=link)
    assert raised.value.details.get("field") == "link"
    assert "https://" in raised.value.message
    m = meeting(s)
    with pytest.raises(ValidationFailed):
        services.update_meeting(s.hr, m, title="Möte", starts_at=at(1, 9), ends_at=at(1, 10), place="", link=link)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "https://meet.example.com/abc\r\nATTENDEE:mailto:x@y.z"])
def test_form_refuses_unsafe_link_with_a_message(app, web, factory, link):
    from tests.meetings.test_views import login

    s = signed_case(factory)
    login(web, s.hr, factory)
    path = f"/cases/{s.case.id}/meetings/new"
    response = web.post(path, {"title": "Mitt möte", "starts_at": "2030-03-07T09:00", "ends_at": "2030-03-07T10:00",
                               "place": "", "link": link, "stages": ["grounds"]}, token_from=path)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Länken måste vara en webbadress som börjar med https:// eller http://" in html
    assert 'value="Mitt möte"' in html
    assert db.session.execute(select(func.count(Meeting.id))).scalar_one() == 0
