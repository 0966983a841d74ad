"""A union representative refuses one minutes version with an objection and approves the next;
the HR officer sees both on the meeting page."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import axe_violations, sign_in, switch_user
from tests.factories import Factory
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db

OBJECTION = "Paragraf 3 saknar personalens förslag om schemaläggning."


@pytest.fixture
def submitted_minutes(app, demo_data):
    """A case of hr@example.org with both parties' signatories and submitted minutes, version 1."""
    from tracker.auth.services import find_user_by_email
    from tracker.meetings import services
    from tracker.steering import services as steering
    from tracker.steering.models import Party

    hr, decision, union = (find_user_by_email(e) for e in ("hr@example.org", "decision@example.org",
                                                           "union@example.org"))
    case = Factory().case(hr=hr, title="Ny organisation för kosten")
    for user, party in ((decision, Party.EMPLOYER), (union, Party.PERSONNEL)):
        if steering.current_membership(case, user) is None:
            steering.add_member(hr, case, user, party=party, role="signatory")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    meeting = services.schedule_meeting(hr, case, title="Förhandling om kosten", starts_at=start,
                                        ends_at=start + timedelta(hours=2), place="Stadshuset", stages=["closing"])
    services.save_minutes(hr, meeting, "§ 1 Mötet öppnas\n§ 2 Förslaget presenteras\n§ 3 Schemat")
    services.submit_minutes(hr, services.minutes_of(meeting))
    db.session.commit()
    meeting_id = meeting.id
    db.session.remove()  # let the server thread write
    return meeting_id


def test_union_refuses_then_approves_and_hr_sees_both(page, live_server, submitted_minutes):
    meeting_path = f"/meetings/{submitted_minutes}"

    # The union representative refuses version 1 with an objection.
    # The union representative was notified; the notification leads to the meeting.
    sign_in(page, "union@example.org")
    page.goto("/home")
    page.get_by_role("link", name="Aviseringar").click()
    item = page.locator(".notification", has_text="Förhandling om kosten")
    assert "Oläst" in item.inner_text()
    count, report = axe_violations(page)
    assert count == 0, report
    with page.expect_navigation():
        item.get_by_role("button", name="Öppna").click()
    assert page.url.endswith(meeting_path + "#minutes")  # straight to the minutes and their approval
    assert page.locator(".minutes-status").inner_text() == "Väntar på justering"
    count, report = axe_violations(page)
    assert count == 0, report
    page.fill("#refuse-objection", OBJECTION)
    page.fill("#refuse-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Vägra justera").click()
    assert "Din invändning mot version 1 är registrerad." in page.locator(".flashes").inner_text()
    assert page.locator(".minutes-status").inner_text() == "Omtvistat"

    # The HR officer writes version 2 and sends it.
    switch_user(page, "hr@example.org")
    page.goto(meeting_path)
    page.get_by_role("link", name="Skriv en ny version").click()
    page.fill("#body", "§ 1 Mötet öppnas\n§ 2 Förslaget presenteras\n§ 3 Schemat; personalens förslag bifogas")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara ny version").click()
    assert "Version 2 av protokollet är sparad." in page.locator(".flashes").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka version 2 för justering").click()

    # The union representative approves version 2 after re-entering the password.
    switch_user(page, "union@example.org")
    page.goto(meeting_path)
    assert page.get_by_role("heading", name="Justera version 2", exact=True).is_visible()
    page.fill("#approve-password", "wrong password")
    with page.expect_navigation():
        page.get_by_role("button", name="Justera", exact=True).click()
    assert "Lösenordet stämmer inte." in page.locator("#approve-password-error").inner_text()
    page.fill("#approve-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Justera", exact=True).click()
    assert "Du har justerat version 2 av protokollet." in page.locator(".flashes").inner_text()

    # The HR officer sees the refusal of version 1 (now void) and the approval of version 2.
    switch_user(page, "hr@example.org")
    page.goto(meeting_path)
    rows = page.locator("table.signatures tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    refused = [t for t in texts if "Vägrat" in t]
    approved = [t for t in texts if "Justerat" in t]
    assert len(refused) == 1 and OBJECTION in refused[0] and "Ogiltig" in refused[0]
    assert refused[0].split("\t")[0].strip() == "1"
    assert len(approved) == 1 and approved[0].split("\t")[0].strip() == "2" and "Gäller" in approved[0]
    assert "Ulla Nieminen" in approved[0]
    # The differences between the two versions are one click away.
    page.get_by_role("link", name="Skillnader mot version 1").click()
    assert page.locator("table.diff ins").inner_text() == "§ 3 Schemat; personalens förslag bifogas"
    count, report = axe_violations(page)
    assert count == 0, report
    # the only failed load is the deliberate wrong-password answer (HTTP 400)
    assert [e for e in page.console_errors if "status of 400" not in e] == []
