"""Browser: a union representative comments on a stage of a demo case; the HR officer sees it."""
from __future__ import annotations

from sqlalchemy import select

from tests.browser.conftest import sign_in, switch_user
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.steering.models import SteeringMember


def _demo_case(demo_data) -> Case:
    """A demo case run by hr@example.org with union@example.org in its steering group."""
    from tracker.auth.services import find_user_by_email

    hr, union = find_user_by_email("hr@example.org"), find_user_by_email("union@example.org")
    case = db.session.execute(
        select(Case).join(SteeringMember, SteeringMember.case_id == Case.id)
        .where(Case.responsible_hr_id == hr.id, SteeringMember.user_id == union.id,
               SteeringMember.left_at.is_(None), Case.status != "archived")
        .order_by(Case.id).limit(1)).scalars().first()
    if case is None:  # the cases demo is not there: make one the way HR would
        from tracker.cases.services import open_case
        from tracker.steering.services import add_member

        case = open_case(hr, title="Ny organisation för städ", profile_code="se-mbl", units=["Städ"])
        add_member(hr, case, union, party="personnel", units=["Städ"])
        db.session.commit()
    case_id, stage = case.id, case.current_stage
    db.session.remove()  # let the server thread write (SQLite)
    return case_id, stage


def test_union_rep_comments_and_hr_sees_it(page, live_server, demo_data):
    case_id, stage = _demo_case(demo_data)
    text = "Vi kräver en **konsekvensanalys** för nattpersonalen."
    sign_in(page, "union@example.org")
    page.goto(f"/cases/{case_id}/stages/{stage}/discussion")
    page.get_by_label("Kommentar", exact=True).fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Kommentera").click()
    assert page.get_by_text("Kommentaren har sparats.").is_visible()
    assert page.locator(".comment-body strong", has_text="konsekvensanalys").count() >= 1

    switch_user(page, "hr@example.org")
    page.goto(f"/cases/{case_id}/stages/{stage}/discussion")
    comment = page.locator("li.comment", has_text="konsekvensanalys").last
    assert comment.is_visible()
    assert "Ulla Nieminen" in comment.inner_text()
    assert page.console_errors == []
