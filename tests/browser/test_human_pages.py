"""Browser: the pages issue 17 items 5, 6, 8 and 10 changed (audit sentences, steering group, minutes
chips, risk co-signature, the language switch), axe-clean at 1280 and 390 px with disclosures open,
and no page wider than the phone."""
from __future__ import annotations

from sqlalchemy import select

from tests.browser.conftest import DEMO_LOGINS, axe_violations, sign_in, switch_user
from tracker.extensions import db
from tracker.meetings.models import Minutes

WIDTHS = (1280, 390)


def _ids() -> dict[str, int]:
    minutes = db.session.execute(select(Minutes).order_by(Minutes.id).limit(1)).scalars().first()
    assert minutes is not None, "the demo data has minutes"
    ids = {"case": minutes.case_id, "meeting": minutes.meeting_id}
    db.session.remove()
    return ids


def _check(page, path: str, *, open_details: bool = False) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        if response.status != 200:
            return [f"{path}: HTTP {response.status}"]
        if open_details:
            page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        count, report = axe_violations(page)
        if count:
            problems.append(f"{path} at {width} px: {count} violation(s)\n{report}")
        if width == 390 and page.evaluate("document.documentElement.scrollWidth") > 390:
            problems.append(f"{path} is wider than the phone")
    return problems


def test_changed_pages_are_axe_clean_at_both_widths(page):
    ids = _ids()
    problems = []
    sign_in(page, DEMO_LOGINS["auditor"])
    page.goto("/audit")
    assert page.locator(".audit-sentence").count() > 0
    assert page.locator("select#action option").count() > 10  # labelled choices, not a typed code
    problems += _check(page, "/audit", open_details=True)
    problems += _check(page, f"/cases/{ids['case']}/audit", open_details=True)
    switch_user(page, DEMO_LOGINS["hr_officer"])
    problems += _check(page, f"/cases/{ids['case']}/steering", open_details=True)
    problems += _check(page, f"/meetings/{ids['meeting']}")
    switch_user(page, DEMO_LOGINS["safety_rep"])
    problems += _check(page, f"/cases/{ids['case']}/risk")
    assert not problems, "\n\n".join(problems)
    assert not page.console_errors


def test_the_end_membership_action_fits_at_1280(page):
    ids = _ids()
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/cases/{ids['case']}/steering")
    action = page.locator("a.button-compact").first
    box = action.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_language_links_come_after_the_main_content_and_switch(page):
    page.goto("/login")
    link = page.get_by_role("link", name="In English")  # a link, announced as one
    assert link.inner_text() == "In English" and link.get_attribute("lang") == "en"
    assert link.get_attribute("href") == "/language/en?next=/login"
    # After the login form's own submit in tab order.
    order = page.evaluate("""() => {
        const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select')];
        return [all.indexOf(document.querySelector("form[action$='/login'] button[type=submit]")),
                all.indexOf(document.querySelector(".language-switch a[hreflang=en]"))];
    }""")
    assert order[0] < order[1]
    with page.expect_navigation():
        link.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".language-switch [aria-current]").inner_text() == "In English"
    count, report = axe_violations(page)
    assert count == 0, report
