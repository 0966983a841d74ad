"""Issue 15, finding 14: the employer cannot remove the other party's comments; the author withdraws
their own after an explicit confirmation (a plain form: no JavaScript needed)."""
from __future__ import annotations

import pytest

from tests.discussion.test_views import _logout, _stage_page
from tests.factories import PASSWORD
from tracker.discussion import services
from tracker.discussion.models import Comment
from tracker.extensions import db
from tracker.steering.models import Party


@pytest.fixture
def setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    factory.member(case, union, Party.PERSONNEL)
    comment = services.add_comment(union, case, "grounds", "Personalsidans ståndpunkt")
    db.session.commit()
    return hr, case, union, comment


def _fresh(comment_id: int) -> Comment:
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    assert comment is not None
    return comment


def test_hr_cannot_remove_a_union_comment_over_http(web, setup):
    hr, case, _union, comment = setup
    web.login(hr.email, PASSWORD)
    page = _stage_page(case)
    html = web.client.get(page).get_data(as_text=True)
    assert "Personalsidans ståndpunkt" in html
    assert "Ta bort kommentar" not in html and "Dra tillbaka" not in html  # no action the policy refuses
    assert web.post(f"/comments/{comment.id}/delete", {}, token_from=page).status_code == 404
    assert web.client.get(f"/comments/{comment.id}/withdraw").status_code == 403
    assert web.post(f"/comments/{comment.id}/withdraw", {"confirm": "y"}, token_from=page).status_code == 403
    assert not _fresh(comment.id).is_deleted


def test_author_withdraws_only_after_confirming(web, setup):
    _hr, case, union, comment = setup
    web.login(union.email, PASSWORD)
    page = _stage_page(case)
    html = web.client.get(page).get_data(as_text=True)
    confirm_page = f"/comments/{comment.id}/withdraw"
    assert f'href="{confirm_page}"' in html  # a link to the confirmation page, not a one-click button
    r = web.client.get(confirm_page)
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Personalsidans ståndpunkt" in text and 'name="confirm"' in text
    r = web.post(confirm_page, {}, token_from=confirm_page)  # no confirmation ticked
    assert r.status_code == 400
    assert "Bekräfta att du vill dra tillbaka kommentaren." in r.get_data(as_text=True)
    assert not _fresh(comment.id).is_deleted
    r = web.post(confirm_page, {"confirm": "y"}, token_from=confirm_page)
    assert r.status_code == 302
    withdrawn = _fresh(comment.id)
    assert withdrawn.is_deleted and withdrawn.deleted_by_id == union.id
    html = web.client.get(page).get_data(as_text=True)
    assert f"Kommentaren drogs tillbaka av {union.name}" in html and "Personalsidans ståndpunkt" not in html
    assert web.post(confirm_page, {"confirm": "y"}, token_from=page).status_code == 409
    _logout(web)


def test_withdraw_from_the_case_page_returns_there(web, setup):
    _hr, case, union, comment = setup
    web.login(union.email, PASSWORD)
    confirm_page = f"/comments/{comment.id}/withdraw?from=case"
    assert web.client.get(confirm_page).status_code == 200
    r = web.post(confirm_page, {"confirm": "y"}, token_from=confirm_page)
    # Back to the stage's view of the case page, the confirmation focused beside the discussion.
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/cases/{case.id}/stages/{comment.stage_code}#confirmation")
    html = web.client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="confirmation"' in html and "Kommentaren har dragits tillbaka." in html


def test_outsider_gets_404(web, factory, setup):
    _hr, _case, _union, comment = setup
    outsider = factory.user("union_rep")
    web.login(outsider.email, PASSWORD)
    assert web.client.get(f"/comments/{comment.id}/withdraw").status_code == 404
    assert web.post(f"/comments/{comment.id}/withdraw", {"confirm": "y"}).status_code == 404
