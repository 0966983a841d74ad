"""Browser (S5): HR uploads a secret document; a member who is not a reader gets 404; a named
reader downloads it."""
from __future__ import annotations

from sqlalchemy import select

from tests.browser.conftest import sign_in, switch_user
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.steering.models import SteeringMember

BUDGET = "avdelning;2027\nHemtjänst;39 800 000\n"


def _demo_case() -> int:
    """A case run by hr@example.org with union@ and safety@ in its steering group."""
    from tracker.auth.services import find_user_by_email
    from tracker.steering.services import add_member

    hr = find_user_by_email("hr@example.org")
    union, safety = find_user_by_email("union@example.org"), find_user_by_email("safety@example.org")
    case = db.session.execute(
        select(Case).join(SteeringMember, SteeringMember.case_id == Case.id)
        .where(Case.responsible_hr_id == hr.id, SteeringMember.user_id == union.id,
               SteeringMember.left_at.is_(None), Case.status != "archived")
        .order_by(Case.id).limit(1)).scalars().first()
    if case is None:  # the cases demo is not there: make one the way HR would
        from tracker.cases.services import open_case

        case = open_case(hr, title="Budgetanpassning hemtjänst", profile_code="se-mbl", units=["Hemtjänst"])
        add_member(hr, case, union, party="personnel", units=["Hemtjänst"])
        db.session.commit()
    from tracker.steering.services import current_membership

    if current_membership(case, safety) is None:
        add_member(hr, case, safety, party="personnel")
        db.session.commit()
    case_id = case.id
    db.session.remove()  # let the server thread write (SQLite)
    return case_id


def test_secret_document_upload_denial_and_download(page, live_server, demo_data, tmp_path):
    case_id = _demo_case()
    budget = tmp_path / "Budget 2027 – hemtjänst.csv"
    budget.write_text(BUDGET, encoding="utf-8")

    sign_in(page, "hr@example.org")
    page.goto(f"/cases/{case_id}/documents")
    page.locator("summary", has_text="Ladda upp ett dokument").click()
    page.get_by_label("Fil", exact=True).set_input_files(str(budget))
    page.get_by_label("Rubrik", exact=True).fill("Budgetförslag 2027")
    page.get_by_label("Informationsklass").select_option("secret")
    page.get_by_label("Lagrum för sekretessen").fill("OSL 19 kap. 1 §")
    page.get_by_label("Sekretessen upphör").fill("2031-12-31")
    page.get_by_label("Ulla Nieminen", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ladda upp", exact=True).click()
    assert page.get_by_text("är uppladdat").is_visible()
    document_url = page.url
    assert "/documents/" in document_url
    assert page.get_by_role("heading", name="Budgetförslag 2027").is_visible()

    # A steering-group member who is not a named reader: not listed, and 404 on the URL.
    switch_user(page, "safety@example.org")
    page.goto(f"/cases/{case_id}/documents")
    assert page.get_by_text("Budgetförslag 2027").count() == 0
    response = page.goto(document_url)
    assert response.status == 404
    assert page.get_by_role("heading", name="Sidan hittades inte").is_visible()
    page.console_errors.clear()  # the browser logs the expected 404 as a console error

    # The named reader sees why, and downloads the file intact.
    switch_user(page, "union@example.org")
    page.goto(f"/cases/{case_id}/documents")
    with page.expect_navigation():
        page.get_by_role("link", name="Budgetförslag 2027").click()
    assert page.get_by_text("namngiven läsare").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner senaste versionen").click()
    download = info.value
    assert download.suggested_filename == "Budget 2027 – hemtjänst.csv"
    assert open(download.path(), encoding="utf-8").read() == BUDGET
    assert page.console_errors == []


def test_document_pages_have_no_accessibility_violations(page, live_server, demo_data):
    from tests.browser.conftest import axe_violations

    case_id = _demo_case()
    sign_in(page, "hr@example.org")
    page.goto(f"/cases/{case_id}/documents")
    page.locator("summary", has_text="Ladda upp ett dokument").click()
    count, report = axe_violations(page)
    assert count == 0, report
    page.goto(f"/cases/{case_id}/clearances")
    count, report = axe_violations(page)
    assert count == 0, report
