"""Steering-group pages over HTTP: access, adding and removing members, bad input."""
from __future__ import annotations

from tests.factories import PASSWORD
from tracker.steering import services
from tracker.steering.models import Party


def _setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr, units=["Enhet A", "Enhet B"], is_large=True)
    union = factory.user("union_rep")
    return hr, case, union


def test_hr_adds_and_removes_member(web, factory):
    hr, case, union = _setup(factory)
    web.login(hr.email, PASSWORD)
    page = f"/cases/{case.id}/steering"
    r = web.client.get(page)
    assert r.status_code == 200 and "Lägg till medlem" in r.get_data(as_text=True)
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": union.id, "member-party": "personnel", "member-role": "signatory",
        "member-union_id": 0, "member-units": ["Enhet B"]}, token_from=page)
    assert r.status_code == 302
    [m] = services.current_members(case)
    assert m.user_id == union.id and m.units == ["Enhet B"] and m.role == "signatory"
    html = web.client.get(page).get_data(as_text=True)
    assert union.name in html and "Enhet B" in html

    r = web.post(f"/cases/{case.id}/steering/members/{m.id}/end", {"reason": "Slutat"}, token_from=page)
    assert r.status_code == 302
    assert services.current_members(case) == []
    html = web.client.get(page).get_data(as_text=True)
    assert "Tidigare medlemmar" in html and union.name in html.split('id="history"')[1]


def test_bad_input_rerenders_with_field_error(web, factory):
    hr, case, union = _setup(factory)
    web.login(hr.email, PASSWORD)
    page = f"/cases/{case.id}/steering"
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": union.id, "member-party": "employer", "member-role": "member",
        "member-union_id": 0}, token_from=page)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="member-party-error"' in html and "företräder personalen" in html
    assert services.current_members(case) == []
    # Missing person, and an invented unit (not a valid choice): 400, not 500.
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": 0, "member-party": "personnel", "member-role": "member",
        "member-union_id": 0, "member-units": ["Påhittad"]}, token_from=page)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="member-user_id-error"' in html and 'id="member-units-error"' in html


def test_access(web, factory):
    hr, case, union = _setup(factory)
    factory.member(case, union, Party.PERSONNEL, units=["Enhet A"])
    outsider = factory.user("union_rep")
    admin = factory.user("admin")
    other_hr = factory.user("hr_officer")
    page = f"/cases/{case.id}/steering"
    assert web.client.get(page).status_code in (302, 401)  # anonymous: to login

    web.login(union.email, PASSWORD)
    r = web.client.get(page)
    assert r.status_code == 200 and "Lägg till medlem" not in r.get_data(as_text=True)
    assert web.post(f"/cases/{case.id}/steering/members", {"member-user_id": union.id}).status_code == 403
    web.client.post("/logout", data={"csrf_token": web.token("/account")})

    for user in (outsider, other_hr):
        web.login(user.email, PASSWORD)
        assert web.client.get(page).status_code == 404
        web.client.post("/logout", data={"csrf_token": web.token("/account")})
    web.login(admin.email, PASSWORD)
    # No case access at all: a case the user cannot see is a 404 on every URL (issue 14 item 13).
    assert web.client.get(page).status_code == 404
    assert web.client.get("/cases/999999/steering").status_code == 404


def test_case_panel_renders(app, web, factory):
    from flask import render_template

    hr, case, union = _setup(factory)
    factory.member(case, union, Party.PERSONNEL, units=["Enhet A"])
    with app.test_request_context():
        from flask_login import login_user

        login_user(hr)
        from tracker.casepage import compose

        html = render_template("steering/_case_panel.html", case=case, page=compose(hr, case))
    # The case page lists the members and links to where they are managed; the add form (its
    # people and unions) lives on that page only.
    assert union.name in html and 'id="member-user_id"' not in html
    assert f'href="/cases/{case.id}/steering"' in html and "Hantera styrnings- och uppföljningsgruppen" in html
    web.login(hr.email, PASSWORD)
    members_page = web.client.get(f"/cases/{case.id}/steering").get_data(as_text=True)
    assert "Lägg till medlem" in members_page and 'id="member-user_id"' in members_page


def test_case_page_shows_steering_and_stage_panels(web, factory):
    from tracker.discussion import services as discussion
    from tracker.extensions import db

    hr, case, union = _setup(factory)
    factory.member(case, union, Party.PERSONNEL, units=["Enhet A"])
    discussion.add_comment(union, case, "grounds", "Synpunkt om *grunderna*")
    discussion.submit_counter_proposal(union, case, title="Vårt motförslag", body="Text")
    db.session.commit()
    web.login(hr.email, PASSWORD)
    r = web.client.get(f"/cases/{case.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="steering-panel-heading"' in html and union.name in html
    # A comment box on the stage the walk has reached, none on the stages not started yet.
    assert 'id="comment-early_information-body"' in html and 'id="comment-grounds-body"' not in html
    # Each stage's discussion is on that stage's own view.
    grounds = web.client.get(f"/cases/{case.id}/stages/grounds").get_data(as_text=True)
    assert "Synpunkt om <em>grunderna</em>" in grounds
    assert 'id="discussion-grounds-heading"' in grounds and 'id="comment-grounds-body"' not in grounds
    alternatives = web.client.get(f"/cases/{case.id}/stages/alternatives").get_data(as_text=True)
    assert "Vårt motförslag" in alternatives and "Obesvarat" in alternatives


def test_comment_from_case_page_returns_there(web, factory):
    hr, case, union = _setup(factory)
    factory.member(case, union, Party.PERSONNEL, units=["Enhet A"])
    web.login(union.email, PASSWORD)
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/stages/early_information/comments?from=case"' in html
    r = web.post(f"/cases/{case.id}/stages/early_information/comments?from=case",
                 {"comment-early_information-body": "Hej"}, token_from=f"/cases/{case.id}")
    assert r.status_code == 302 and r.headers["Location"].startswith(
        f"/cases/{case.id}/stages/early_information#confirmation")
