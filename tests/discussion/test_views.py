"""Comments and counter-proposals over HTTP, including that hostile Markdown never reaches a page."""
from __future__ import annotations

import pytest

from tests.discussion.safe_html import active_content
from tests.factories import PASSWORD
from tracker.discussion import services
from tracker.discussion.models import Comment, CounterProposal
from tracker.extensions import db
from tracker.steering.models import Party


@pytest.fixture
def setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    factory.member(case, union, Party.PERSONNEL)
    return hr, case, union


def _logout(web):
    web.client.post("/logout", data={"csrf_token": web.token("/account")})


def _stage_page(case, stage="grounds"):
    return f"/cases/{case.id}/stages/{stage}/discussion"


HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> '
           '[klick](javascript:alert(3)) <a href="#" onmouseover="alert(4)">x</a> '
           '<svg onload=alert(5)></svg>')


def test_union_comments_hr_sees_it_and_hostile_markup_is_inert(web, setup):
    hr, case, union = setup
    web.login(union.email, PASSWORD)
    page = _stage_page(case)
    r = web.post(f"/cases/{case.id}/stages/grounds/comments",
                 {"comment-grounds-body": "Vi **stöder** detta.\n\n" + HOSTILE}, token_from=page)
    assert r.status_code == 302
    _logout(web)
    web.login(hr.email, PASSWORD)
    html = web.client.get(page).get_data(as_text=True)
    assert "<strong>stöder</strong>" in html and union.name in html
    assert active_content(html) == []
    assert "alert(1)" in html  # shown as text, escaped: nothing lost, nothing executed


def test_empty_comment_is_400_with_field_error(web, setup):
    _, case, union = setup
    web.login(union.email, PASSWORD)
    page = _stage_page(case)
    r = web.post(f"/cases/{case.id}/stages/grounds/comments", {"comment-grounds-body": "  "}, token_from=page)
    assert r.status_code == 400
    assert 'id="comment-grounds-body-error"' in r.get_data(as_text=True)
    assert db.session.query(Comment).count() == 0
    assert web.client.get(_stage_page(case, "nonsense")).status_code == 404


def test_edit_history_and_withdrawal_trace(web, setup):
    hr, case, union = setup
    c = services.add_comment(union, case, "effects", "Original <b>text</b>")
    db.session.commit()
    web.login(union.email, PASSWORD)
    edit = f"/comments/{c.id}/edit"
    assert web.client.get(edit).status_code == 200
    r = web.post(edit, {"body": ""}, token_from=edit)
    assert r.status_code == 400 and 'id="body-error"' in r.get_data(as_text=True)
    r = web.post(edit, {"body": "Ny text"}, token_from=edit)
    assert r.status_code == 302
    hist = web.client.get(f"/comments/{c.id}/history").get_data(as_text=True)
    assert "Ny text" in hist and "Original" in hist and active_content(hist) == []
    _logout(web)

    web.login(hr.email, PASSWORD)
    assert web.client.get(edit).status_code == 403  # not the author
    withdraw = f"/comments/{c.id}/withdraw"
    assert web.post(withdraw, {"confirm": "y"}, token_from=_stage_page(case, "effects")).status_code == 403
    _logout(web)

    web.login(union.email, PASSWORD)
    r = web.post(withdraw, {"confirm": "y"}, token_from=withdraw)
    assert r.status_code == 302
    html = web.client.get(_stage_page(case, "effects")).get_data(as_text=True)
    assert f"Kommentaren drogs tillbaka av {union.name}" in html and "Ny text" not in html
    assert web.post(withdraw, {"confirm": "y"}, token_from=_stage_page(case, "effects")).status_code == 409


def test_outsiders_get_404(web, factory, setup):
    hr, case, union = setup
    c = services.add_comment(union, case, "grounds", "Hemlig")
    db.session.commit()
    outsider = factory.user("union_rep")
    web.login(outsider.email, PASSWORD)
    assert web.client.get(_stage_page(case)).status_code == 404
    assert web.client.get(f"/comments/{c.id}/history").status_code == 404
    assert web.post(f"/cases/{case.id}/stages/grounds/comments", {"comment-grounds-body": "x"}).status_code == 404
    assert web.post(f"/comments/{c.id}/withdraw", {"confirm": "y"}).status_code == 404


def test_counter_proposal_over_http(web, setup):
    hr, case, union = setup
    page = _stage_page(case, "alternatives")
    web.login(union.email, PASSWORD)
    html = web.client.get(page).get_data(as_text=True)
    assert "Lämna motförslag" in html
    r = web.post(f"/cases/{case.id}/counter-proposals", {"counter-proposal-title": "",
                                                         "counter-proposal-body": "Text"}, token_from=page)
    assert r.status_code == 400 and 'id="counter-proposal-title-error"' in r.get_data(as_text=True)
    assert "Text" in r.get_data(as_text=True)  # input kept
    r = web.post(f"/cases/{case.id}/counter-proposals", {"counter-proposal-title": "Behåll köket",
                                                         "counter-proposal-body": "Vi föreslår ..."}, token_from=page)
    assert r.status_code == 302
    p = db.session.query(CounterProposal).one()
    assert "Obesvarat" in web.client.get(page).get_data(as_text=True)
    _logout(web)

    web.login(hr.email, PASSWORD)
    r = web.post(f"/counter-proposals/{p.id}/answer", {f"answer-{p.id}-answer": "Nej."}, token_from=page)
    assert r.status_code == 400 and f'id="answer-{p.id}-answer-error"' in r.get_data(as_text=True)
    r = web.post(f"/counter-proposals/{p.id}/answer",
                 {f"answer-{p.id}-answer": "Avslås: lokalerna säljs under året."}, token_from=page)
    assert r.status_code == 302
    db.session.refresh(p)
    assert p.answered_at is not None
    assert "Besvarat" in web.client.get(page).get_data(as_text=True)


def test_withdraw_over_http(web, setup):
    hr, case, union = setup
    p = services.submit_counter_proposal(union, case, title="T", body="B")
    db.session.commit()
    web.login(union.email, PASSWORD)
    r = web.post(f"/counter-proposals/{p.id}/withdraw", {}, token_from=_stage_page(case, "alternatives"))
    assert r.status_code == 302
    db.session.refresh(p)
    assert p.withdrawn_at is not None


def test_stage_panels_use_constant_queries(app, factory, count_queries):
    """Rendering every stage's view of its panel costs the same number of queries at 1 and 20 comments."""
    from flask import render_template
    from flask_login import login_user

    from tracker.procedure.stages import STAGES

    def count(case, user):
        with app.test_request_context():
            login_user(user)
            from tracker.casepage import compose

            with count_queries() as statements:
                for stage in STAGES:  # each stage's own view builds the discussion of that stage
                    page = compose(user, case, stage=stage)
                    render_template("discussion/_stage_panel.html", case=case, code=stage, page=page)
        return len(statements)

    counts = []
    for n in (1, 20):
        hr = factory.user("hr_officer")
        case = factory.case(hr=hr)
        union = factory.user("union_rep")
        factory.member(case, union, Party.PERSONNEL)
        for i in range(n):
            services.add_comment(union, case, "alternatives" if i % 2 else "grounds", f"Kommentar {i}")
            services.submit_counter_proposal(union, case, title=f"F {i}", body="B")
        db.session.commit()
        db.session.expire_all()
        counts.append(count(case, hr))
    assert 0 < counts[0] == counts[1]
