"""Meetings and minutes over HTTP: access, forms, bad input, locking, the .ics file."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from tests.meetings.helpers import meeting, signed_case
from tracker.extensions import db
from tracker.meetings import services
from tracker.meetings.ics import unfold
from tracker.meetings.models import Meeting, MinutesSignature, MinutesStatus, MinutesVersion


def login(web, user, factory):
    web.client = web.client.application.test_client()  # a fresh browser: no session left over
    response = web.login(user.email, factory.password)
    assert response.status_code == 302


def version_count() -> int:
    return db.session.execute(select(func.count(MinutesVersion.id))).scalar_one()


def test_schedule_over_http(app, web, factory):
    s = signed_case(factory)
    login(web, s.hr, factory)
    path = f"/cases/{s.case.id}/meetings/new"
    assert web.client.get(path).status_code == 200
    response = web.post(path, {"title": "Förhandling, ärende 1", "starts_at": "2030-03-07T09:00",
                               "ends_at": "2030-03-07T11:00", "place": "Stadshuset", "stages": ["grounds", "effects"]},
                        token_from=path)
    assert response.status_code == 302, response.get_data(as_text=True)
    m = db.session.execute(select(Meeting)).scalar_one()
    # 09:00 in Stockholm (CET, winter) is 08:00 UTC.
    assert m.starts_at == datetime(2030, 3, 7, 8, 0, tzinfo=UTC)
    assert m.stages == ["grounds", "effects"]
    page = web.client.get(f"/meetings/{m.id}").get_data(as_text=True)
    assert "Förhandling, ärende 1" in page and "Stadshuset" in page


def test_schedule_bad_input_keeps_what_was_typed(app, web, factory):
    s = signed_case(factory)
    login(web, s.hr, factory)
    path = f"/cases/{s.case.id}/meetings/new"
    response = web.post(path, {"title": "Mitt möte", "starts_at": "2030-03-07T09:00", "ends_at": "2030-03-07T08:00",
                               "place": "", "stages": ["nope"]}, token_from=path)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mötet måste sluta efter att det börjar." in html
    assert "Ange en plats eller en länk till mötet." in html
    assert 'value="Mitt möte"' in html
    response = web.post(path, {"title": "X", "starts_at": "not a date", "ends_at": "", "place": "R"}, token_from=path)
    assert response.status_code == 400
    assert db.session.execute(select(func.count(Meeting.id))).scalar_one() == 0


def test_access(app, web, factory):
    s = signed_case(factory)
    m = meeting(s)
    outsider_hr = factory.user("hr_officer")
    admin = factory.user("admin")
    for user in (s.outsider, admin):
        login(web, user, factory)
        assert web.client.get(f"/meetings/{m.id}").status_code == 404
        assert web.client.get(f"/meetings/{m.id}.ics").status_code == 404
    login(web, outsider_hr, factory)
    assert web.client.get(f"/cases/{s.case.id}/meetings/new").status_code == 404
    login(web, s.union_signatory, factory)
    assert web.client.get(f"/meetings/{m.id}").status_code == 200
    assert web.client.get(f"/cases/{s.case.id}/meetings/new").status_code == 403
    assert web.client.get(f"/meetings/{m.id}/minutes").status_code == 403
    login(web, s.secretary, factory)
    assert web.client.get(f"/meetings/{m.id}/minutes").status_code == 200
    web.client = web.client.application.test_client()
    assert web.client.get(f"/meetings/{m.id}").status_code == 302


def test_ics_structure(app, web, factory):
    s = signed_case(factory)
    # long and multi-byte: must fold without splitting characters
    m = meeting(s, title="Förhandling; budget, del 2\\3 " + "å" * 60, place="Stadshuset, rum 3",
                stages=["grounds"])
    login(web, s.union_signatory, factory)
    response = web.client.get(f"/meetings/{m.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    raw = response.get_data()
    text = raw.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
    lines = list(unfold(text))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines[1:5] == ["VERSION:2.0", "PRODID:-//Samverkan//Meetings//SV", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    names = [line.split(":", 1)[0] for line in lines]
    assert names == ["BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD", "BEGIN", "UID", "DTSTAMP", "DTSTART",
                     "DTEND", "SEQUENCE", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "END", "END"]
    props = dict(line.split(":", 1) for line in lines)
    assert props["UID"] == f"meeting-{m.id}@samverkan.invalid"
    assert props["DTSTART"] == m.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert props["DTEND"] == m.ends_at.strftime("%Y%m%dT%H%M%SZ")
    assert len(props["DTSTAMP"]) == 16 and props["DTSTAMP"].endswith("Z")
    assert props["LOCATION"] == "Stadshuset\\, rum 3"
    assert props["SUMMARY"].startswith("Förhandling\\; budget\\, del 2\\\\3 ")
    assert props["SUMMARY"].endswith(f"({s.case.diary_number})")
    assert props["DESCRIPTION"] == "Grunder"
    assert props["STATUS"] == "CONFIRMED"


def test_ics_escapes_newlines_and_cancel(app, factory):
    from tracker.meetings.ics import meeting_ics

    s = signed_case(factory)
    escaped = meeting(s, title="a\nb\r\nc;d,e\\f", place="X:" + "é" * 80)
    text = meeting_ics(escaped)
    assert "SUMMARY:a\\nb\\nc\\;d\\,e\\\\f\r\n" in text
    assert all(len(part.encode()) <= 75 for part in text.split("\r\n"))
    assert "LOCATION:X:" + "é" * 80 + "\r\n" in text.replace("\r\n ", "")
    m = meeting(s)
    services.cancel_meeting(s.hr, m)
    db.session.commit()
    text = meeting_ics(m)
    assert "METHOD:CANCEL\r\n" in text and "STATUS:CANCELLED\r\n" in text and "SEQUENCE:1\r\n" in text


def test_attendance_over_http(app, web, factory):
    s = signed_case(factory)
    m = meeting(s, days=-1)
    login(web, s.hr, factory)
    path = f"/meetings/{m.id}/attendance"
    assert web.client.get(path).status_code == 200
    first = m.attendees[0]
    response = web.post(path, {f"a{first.id}": "1"}, token_from=path)
    assert response.status_code == 400
    data = {f"a{a.id}": "1" for a in m.attendees}
    data[f"a{first.id}"] = "0"
    assert web.post(path, data, token_from=path).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).attendees[0].present is False


def _draft_and_submit(web, s, factory, body="§1 Mötet öppnas"):
    login(web, s.hr, factory)
    m = meeting(s)
    path = f"/meetings/{m.id}/minutes"
    response = web.post(path, {"body": body, "base_version": "0"}, token_from=path)
    assert response.status_code == 302
    page = f"/meetings/{m.id}"
    assert web.post(f"/meetings/{m.id}/minutes/submit", {}, token_from=page).status_code == 302
    minutes = services.minutes_of(m)
    return m, minutes


def test_full_signing_over_http(app, web, factory):
    s = signed_case(factory)
    m, minutes = _draft_and_submit(web, s, factory)
    v1 = minutes.current_version
    page = f"/meetings/{m.id}"
    login(web, s.union_signatory, factory)
    html = web.client.get(page).get_data(as_text=True)
    assert "Vägra justera version 1" in html
    # objection missing, password wrong: 400, messages at the fields, nothing recorded
    response = web.post(f"/minutes/versions/{v1.id}/refuse", {"refuse-objection": "", "refuse-password": "x",
                                                               "refuse-sha256": v1.sha256}, token_from=page)
    assert response.status_code == 400 and "Skriv en invändning" in response.get_data(as_text=True)
    response = web.post(f"/minutes/versions/{v1.id}/approve", {"approve-password": "wrong",
                                                               "approve-sha256": v1.sha256}, token_from=page)
    assert response.status_code == 400 and "Lösenordet stämmer inte." in response.get_data(as_text=True)
    response = web.post(f"/minutes/versions/{v1.id}/refuse",
                        {"refuse-objection": "<script>alert(1)</script> §2 saknas", "refuse-password": factory.password,
                         "refuse-sha256": v1.sha256}, token_from=page)
    assert response.status_code == 302
    html = web.client.get(page).get_data(as_text=True)
    assert "Omtvistat" in html and "&lt;script&gt;alert(1)&lt;/script&gt; §2 saknas" in html
    assert "<script>alert" not in html
    login(web, s.employer_signatory, factory)
    response = web.post(f"/minutes/versions/{v1.id}/approve", {"approve-password": factory.password,
                                                               "approve-sha256": v1.sha256}, token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert services.minutes_of(m).status == MinutesStatus.DISPUTED


def test_approved_minutes_are_locked_against_crafted_posts(app, web, factory):
    s = signed_case(factory)
    m, minutes = _draft_and_submit(web, s, factory)
    v1 = minutes.current_version
    for signer in (s.employer_signatory, s.union_signatory):
        services.approve_minutes(signer, v1, password=factory.password)
    db.session.commit()
    assert minutes.status == MinutesStatus.APPROVED
    before_versions = version_count()
    before_signatures = db.session.execute(select(func.count(MinutesSignature.id))).scalar_one()
    page = f"/meetings/{m.id}"
    login(web, s.hr, factory)
    html = web.client.get(page).get_data(as_text=True)
    assert "Skriv en ny version" not in html and "låst" in html
    response = web.post(f"/meetings/{m.id}/minutes", {"body": "Ändrat efteråt", "base_version": "1"},
                        token_from=page)
    assert response.status_code == 409
    assert web.post(f"/meetings/{m.id}/minutes/submit", {}, token_from=page).status_code == 409
    assert web.post(f"/meetings/{m.id}/cancel", {"reason": "x"}, token_from=page).status_code == 409
    login(web, s.union_signatory, factory)
    response = web.post(f"/minutes/versions/{v1.id}/refuse", {"refuse-objection": "Ångrar mig",
                        "refuse-password": factory.password}, token_from=page)
    assert response.status_code == 409
    response = web.post(f"/minutes/versions/{v1.id}/approve", {"approve-password": factory.password},
                        token_from=page)
    assert response.status_code == 409
    db.session.expire_all()
    assert version_count() == before_versions
    assert db.session.execute(select(func.count(MinutesSignature.id))).scalar_one() == before_signatures
    assert services.minutes_of(m).status == MinutesStatus.APPROVED


def test_submit_without_signatory_says_so(app, web, factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    factory.member(case, factory.user("union_rep"), "personnel", role="signatory")
    from tests.meetings.helpers import Setup

    s = Setup(case, hr, None, None, None, None, None)
    login(web, hr, factory)
    m = meeting(s)
    path = f"/meetings/{m.id}/minutes"
    web.post(path, {"body": "Text", "base_version": "0"}, token_from=path)
    response = web.post(f"/meetings/{m.id}/minutes/submit", {}, token_from=f"/meetings/{m.id}")
    assert response.status_code == 409
    assert "arbetsgivaren saknar justerare" in response.get_data(as_text=True)


def test_concurrent_edit_keeps_text(app, web, factory):
    s = signed_case(factory)
    login(web, s.hr, factory)
    m = meeting(s)
    services.save_minutes(s.secretary, m, "Sekreterarens text")
    db.session.commit()
    path = f"/meetings/{m.id}/minutes"
    response = web.post(path, {"body": "Min egen text", "base_version": "0"}, token_from=path)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Min egen text" in html and "version 1" in html
    assert version_count() == 1


def test_diff_page_escapes_and_has_headers(app, web, factory):
    s = signed_case(factory)
    m = meeting(s)
    services.save_minutes(s.hr, m, "rad ett\n<b>fet</b>")
    services.save_minutes(s.hr, m, "rad ett\n<i>kursiv</i>\nny rad")
    db.session.commit()
    login(web, s.member, factory)
    response = web.client.get(f"/meetings/{m.id}/minutes/diff?from=1&to=2")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<b>fet</b>" not in html and "&lt;b&gt;fet&lt;/b&gt;" in html
    assert '<th scope="col">Version 1</th>' in html and '<th scope="col">Version 2</th>' in html
    assert "Ändrad" in html and "Tillagd" in html
    assert web.client.get(f"/meetings/{m.id}/minutes/diff?from=1&to=9").status_code == 400
    assert web.client.get(f"/meetings/{m.id}/minutes/diff?from=x&to=1").status_code == 400


def test_case_panel_shows_disputed_and_objection(app, web, factory):
    s = signed_case(factory)
    m, minutes = _draft_and_submit(web, s, factory)
    services.refuse_minutes(s.union_signatory, minutes.current_version, password=factory.password,
                            objection="Förhandlingen är inte avslutad")
    db.session.commit()
    login(web, s.hr, factory)
    html = web.client.get(f"/cases/{s.case.id}/meetings").get_data(as_text=True)
    assert "Omtvistat" in html and "Förhandlingen är inte avslutad" in html
    assert "Planera ett möte" in html


def test_schedule_refused_before_earliest_first_meeting(app, web, factory):
    """S1 step 3 over HTTP: fi-municipal, proposal delivered; a meeting too early is refused."""
    from datetime import timedelta

    from tests.procedure.helpers import complete_early_information, staff
    from tracker.procedure.services import deadlines_for

    case = factory.case(profile="fi-municipal", may_reduce_staff=True, staff_affected=8, title="Lomautukset")
    staff(factory, case)
    complete_early_information(case, case.responsible_hr,
                               proposal_at=datetime.now(UTC) - timedelta(days=1))
    [earliest] = [d.due for d in deadlines_for(case) if d.code == "earliest_first_meeting"]
    login(web, case.responsible_hr, factory)
    path = f"/cases/{case.id}/meetings/new"
    too_early = (earliest - timedelta(days=2)).isoformat()
    response = web.post(path, {"title": "Första mötet", "starts_at": f"{too_early}T09:00",
                               "ends_at": f"{too_early}T11:00", "place": "Kommunhuset"}, token_from=path)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f"tidigast {earliest.isoformat()}" in html and 'value="Första mötet"' in html
    assert db.session.execute(select(func.count(Meeting.id))).scalar_one() == 0
    response = web.post(path, {"title": "Första mötet", "starts_at": f"{earliest.isoformat()}T09:00",
                               "ends_at": f"{earliest.isoformat()}T11:00", "place": "Kommunhuset"}, token_from=path)
    assert response.status_code == 302


def test_meeting_page_constant_queries(app, web, factory, count_queries):
    """The meeting page runs the same number of statements with 1 or 5 versions and signatures."""
    s = signed_case(factory)
    m = meeting(s)
    login(web, s.hr, factory)

    def count() -> int:
        with count_queries() as statements:
            assert web.client.get(f"/meetings/{m.id}").status_code == 200
        return len(statements)

    def round_(n: int) -> None:
        version = services.save_minutes(s.hr, m, f"Protokoll, version {n}")
        services.submit_minutes(s.hr, services.minutes_of(m))
        services.approve_minutes(s.employer_signatory, version, password=factory.password)
        services.refuse_minutes(s.union_signatory, version, password=factory.password, objection=f"Nej {n}")
        db.session.commit()

    round_(1)
    small = count()
    for n in range(2, 6):
        round_(n)
    assert count() == small
