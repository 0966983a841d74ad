"""Browser: axe-core finds no WCAG 2.1 AA (or best-practice) violation on the main pages, for every role that
sees them, on the demo data; the keyboard reaches the skip link first and the main actions in order.

Where each axe check lives (each role, page and width checked once in the suite):
- here: every role's pages in PAGES at 1280 px, the case list and case page at 390 px (NARROW_PATHS), the
  error page, the failed case form at both widths, and the check itself;
- tests/browser/test_todo.py: /home and the notification list (all its states) for every role at 1280 and
  390 px;
- tests/browser/test_responsive.py: the lists at 390 px; test_human_pages.py: pages with their disclosures
  open; test_login.py: the login page and the English home page; the workflow tests: their pages on the way;
- tests/browser/test_screenshots.py: every screenshot not checked by one of the above."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import DEMO_LOGINS, axe_violations, sign_in
from tracker.cases.models import Case, CaseStatus
from tracker.documents.models import Classification, Document
from tracker.extensions import db
from tracker.meetings.models import Minutes


def _demo_ids() -> dict[str, int]:
    """The demo case with approved minutes (a meeting) and an open document, as the pages' ids."""
    minutes = db.session.execute(
        select(Minutes).join(Case, Case.id == Minutes.case_id).where(Case.status == CaseStatus.ACTIVE)
        .order_by(Minutes.id).limit(1)).scalars().first()
    assert minutes is not None, "the demo data has minutes"
    case = db.session.get(Case, minutes.case_id)
    document = db.session.execute(
        select(Document).where(Document.case_id == case.id, Document.classification == Classification.OPEN)
        .order_by(Document.id).limit(1)).scalars().first()
    assert document is not None, "the demo case has an open document"
    ids = {"case": case.id, "meeting": minutes.meeting_id, "document": document.id,
           "user": case.responsible_hr_id}
    db.session.remove()  # let the server thread write (SQLite)
    return ids


WIDTH = 1280
# The pages each role uses, checked at WIDTH px; the ids are filled in from the demo data. Every role's
# /home and /notifications are checked in tests/browser/test_todo.py (at 1280 and 390 px).
PAGES = {
    "hr_officer": ["/cases", "/cases/new", "/cases/{case}", "/cases/{case}/edit", "/cases/{case}/steering",
                   "/cases/{case}/meetings", "/meetings/{meeting}", "/meetings/{meeting}/minutes",
                   "/cases/{case}/documents", "/documents/{document}", "/cases/{case}/clearances",
                   "/cases/{case}/risk", "/cases/{case}/audit", "/account",
                   # the stage views and the confirmation pages (issue 17)
                   "/cases/{case}/stages/early_information", "/cases/{case}/stages/evaluation",
                   "/cases/{case}/archive", "/cases/{case}/stages/early_information/reopen"],
    "union_rep": ["/cases", "/cases/{case}", "/cases/{case}/stages/alternatives",
                  "/cases/{case}/steering", "/meetings/{meeting}",
                  "/documents/{document}", "/cases/{case}/risk", "/account"],
    "safety_rep": ["/cases/{case}", "/cases/{case}/risk"],
    "decision_maker": ["/cases", "/cases/{case}", "/cases/{case}/overrides", "/cases/{case}/decision"],
    "auditor": ["/cases", "/cases/{case}", "/audit", "/exports", "/cases/{case}/audit",
                "/documents/{document}"],
    "admin": ["/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/users/{user}/deactivate",
              "/admin/organisations", "/admin/units",
              "/admin/profiles", "/account"],
}


def _check(page, paths: list[str], ids: dict[str, int]) -> list[str]:
    problems = []
    for template in paths:
        path = template.format(**ids)
        response = page.goto(path)
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        count, report = axe_violations(page)
        if count:
            problems.append(f"{path}: {count} violation(s)\n{report}")
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_have_no_axe_violations(page, role):
    ids = _demo_ids()
    sign_in(page, DEMO_LOGINS[role])
    page.set_viewport_size({"width": WIDTH, "height": 720})
    problems = _check(page, PAGES[role], ids)
    assert not problems, "\n\n".join(problems)
    assert not page.console_errors


# The HR officer's pages checked at 390 px here.
NARROW_PATHS = ("/cases", "/cases/{case}")


def test_narrow_screen_case_pages_have_no_axe_violations_and_do_not_widen_the_page(page):
    """At 390 px the case list and the case page scroll their wide tables inside the page, not the page."""
    ids = _demo_ids()
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (template.format(**ids) for template in NARROW_PATHS):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} is wider than the phone"
        count, report = axe_violations(page)
        assert count == 0, f"{path}:\n{report}"
    # A table that scrolls can be reached and is named (static/ux.js).
    box = page.locator(".table-scroll[tabindex='0']").first
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")


def test_error_page_has_no_axe_violations(page):
    sign_in(page, DEMO_LOGINS["union_rep"])
    response = page.goto("/cases/999999")
    assert response.status == 404
    count, report = axe_violations(page)
    assert count == 0, report


@pytest.mark.parametrize("width", [1280, 390])
def test_a_failed_form_opens_with_a_focused_error_summary_and_no_axe_violations(page, width):
    """The case form sent empty: "Fel:" in the title, the summary focused, each link to its field."""
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/cases/new")
    page.fill("#staff_affected", "-3")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera", exact=True).click()
    assert page.title().startswith("Fel: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    count, report = axe_violations(page)
    assert count == 0, report
    links = page.locator("#error-summary a")
    assert links.count() >= 2  # the title and the number of staff
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "title"


def _tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate("""() => {
        const e = document.activeElement;
        const style = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), id: e.id, name: e.name || '',
                text: (e.innerText || e.value || '').trim(), inMain: !!e.closest('main'),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
    }""")


def test_skip_link_is_first_and_moves_focus_to_the_main_content(page):
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.goto("/cases")
    first = _tab(page)
    assert first["text"] == "Hoppa till innehållet" and first["outline"]
    assert page.locator(".skip-link").is_visible()  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab lands inside the main content, not back in the header.
    assert _tab(page)["inMain"]


def test_tab_reaches_the_case_list_actions_in_order(page):
    """Skip link, then: register a case, the filter fields, the filter button, the first case."""
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.goto("/cases")
    _tab(page)
    page.keyboard.press("Enter")
    seen = [_tab(page) for _ in range(10)]
    assert all(s["outline"] for s in seen), seen  # focus is always visible
    keys = [s["name"] or s["text"] for s in seen]
    expected = ["Registrera ärende", "q", "stage", "unit", "profile", "status", "non_compliance", "Filtrera"]
    assert keys[:len(expected)] == expected, keys
    assert seen[len(expected)]["text"].startswith("SAM-"), seen[len(expected)]  # the first case in the list


def test_tab_reaches_the_case_page_stages_in_order(page):
    """On the case page the stage links come in the procedure's order, before the panels below them."""
    ids = _demo_ids()
    sign_in(page, DEMO_LOGINS["union_rep"])
    page.goto(f"/cases/{ids['case']}")
    _tab(page)
    page.keyboard.press("Enter")
    # The stepper's links carry their number ("1. Tidig information").
    texts = [re.sub(r"^\d+\.\s*", "", _tab(page)["text"] or "") for _ in range(25)]
    stages = ["Tidig information", "Grunder", "Verkningar", "Alternativ", "Avslutande", "Beslut", "Utvärdering"]
    positions = [texts.index(s) for s in stages if s in texts]
    assert len(positions) == len(stages) and positions == sorted(positions), texts


def test_the_axe_check_reports_what_it_is_shown(page):
    """The helper every accessibility test relies on finds a violation put on a clean page, also when
    axe-core is already in the document (the second check of one page)."""
    page.goto("/login")
    assert axe_violations(page)[0] == 0
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\"><input>')")
    count, report = axe_violations(page)
    assert count == 2, report
    assert "image-alt" in report and "label" in report
