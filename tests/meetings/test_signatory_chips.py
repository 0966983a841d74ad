"""Minutes: a chip per signatory (approved / refused / pending, which version) in words, and the
signatory is told what to do."""
from __future__ import annotations

import re

from tests.meetings.helpers import meeting, signed_case
from tracker.extensions import db
from tracker.meetings import services


def _login(web, user, factory):
    web.client = web.client.application.test_client()
    assert web.login(user.email, factory.password).status_code == 302


def _chip(html: str, name: str) -> str:
    match = re.search(rf'<span class="signatory-name">{name}</span>.*?<span class="chip chip-(\w+)">(.*?)</span>\s*</li>',
                      html, re.S)
    assert match, name
    text = re.sub(r"<[^>]+>", "", match.group(2)).strip()
    return f"{match.group(1)}: {text}"


def test_chips_follow_each_signatory(web, factory):
    s = signed_case(factory)
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, body="§1 Mötet öppnas")
    db.session.commit()
    page = f"/meetings/{m.id}"
    _login(web, s.hr, factory)
    html = web.client.get(page).get_data(as_text=True)
    assert _chip(html, "Daniel Ek") == "draft: … Inte skickat för justering"

    services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    html = web.client.get(page).get_data(as_text=True)
    assert _chip(html, "Daniel Ek") == "pending: … Har inte svarat på version 1"
    assert "Du ska justera protokollet." not in html  # HR is no signatory

    _login(web, s.union_signatory, factory)
    html = web.client.get(page).get_data(as_text=True)
    assert "Du ska justera protokollet." in html and 'href="#sign-forms"' in html
    services.refuse_minutes(s.union_signatory, v1, password=factory.password, objection="§2 saknas")
    services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    db.session.commit()
    html = web.client.get(page).get_data(as_text=True)
    assert _chip(html, "Daniel Ek") == "approved: ✓ Har justerat version 1"
    assert _chip(html, "Ulla Nieminen") == "refused: ✗ Har vägrat justera version 1"
    assert "Du ska justera protokollet." not in html
    assert "Du har svarat: Har vägrat justera version 1." in html

    # A new version voids the answers: both are pending again, on version 2.
    services.save_minutes(s.hr, m, body="§1 Mötet öppnas\n§2 Tillägg")
    services.submit_minutes(s.hr, services.minutes_of(m))
    db.session.commit()
    html = web.client.get(page).get_data(as_text=True)
    assert _chip(html, "Daniel Ek") == "pending: … Har inte svarat på version 2"
    assert _chip(html, "Ulla Nieminen") == "pending: … Har inte svarat på version 2"


def test_chips_in_english(web, factory):
    s = signed_case(factory)
    s.employer_signatory.locale = "en"
    m = meeting(s)
    v1 = services.save_minutes(s.hr, m, body="§1")
    services.submit_minutes(s.hr, services.minutes_of(m))
    services.approve_minutes(s.employer_signatory, v1, password=factory.password)
    db.session.commit()
    _login(web, s.employer_signatory, factory)
    html = web.client.get(f"/meetings/{m.id}").get_data(as_text=True)
    assert _chip(html, "Daniel Ek") == "approved: ✓ Approved version 1"
    assert _chip(html, "Ulla Nieminen") == "pending: … Has not answered version 1 yet"
