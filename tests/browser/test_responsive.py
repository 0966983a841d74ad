"""Browser (issue 17 item 4): at 390 px the lists are stacked cards with the key fields first, no page is
wider than the phone, the filters fold into a <details>, the site header keeps one row, and axe finds nothing
(axe on the HR officer's /home and /notifications at 390 px runs in test_todo.py, for every role, and on
its /cases at 390 px in test_accessibility.py)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_LOGINS, axe_violations, sign_in
from tests.browser.test_accessibility import NARROW_PATHS, _demo_ids
from tests.browser.test_todo import AXE_PATHS as AXE_IN_TODO

PHONE = {"width": 390, "height": 844}
# The lists per role that sees them: (role, path, selector of the stacked list).
LISTS = [
    ("hr_officer", "/home", "table.stack-table"),
    ("hr_officer", "/cases", "table.cases"),
    ("hr_officer", "/cases/{case}/documents", "table.documents-table"),
    ("hr_officer", "/notifications", ".notification-list, main p"),
    ("auditor", "/cases/{case}/audit", "table.audit-table"),
    ("auditor", "/audit", "table.audit-table"),
    ("admin", "/admin/users", "table.stack-table"),
    ("admin", "/admin/units", "table.units-table"),
]


def axe_here(role: str, template: str) -> bool:
    """Whether this module runs axe on the list (not when test_todo.py or test_accessibility.py does)."""
    return template not in AXE_IN_TODO and not (role == "hr_officer" and template in NARROW_PATHS)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _header_rows(page) -> int:
    """How many rows of boxes the site header's row holds (the tops of its visible children)."""
    return page.evaluate("""() => {
        const tops = new Set();
        for (const el of document.querySelectorAll('.header-row > *, .header-tools > *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.height && !el.classList.contains('header-tools')) tops.add(Math.round((r.top + r.bottom) / 2 / 12));
        }
        return tops.size;
    }""")


@pytest.mark.parametrize("role", sorted({role for role, _, _ in LISTS}))
def test_lists_fit_a_phone_without_sideways_scrolling(page, role):
    ids = _demo_ids()
    sign_in(page, DEMO_LOGINS[role])
    page.set_viewport_size(PHONE)
    problems = []
    for _, template, selector in (entry for entry in LISTS if entry[0] == role):
        path = template.format(**ids)
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator(selector).first.is_visible(), f"{path}: {selector} not shown"
        if (wider := _overflow(page)) > 0:
            problems.append(f"{path}: {wider} px wider than the phone")
        if _header_rows(page) != 1:
            problems.append(f"{path}: the site header takes more than one row")
        if not axe_here(role, template):
            continue
        count, report = axe_violations(page)
        if count:
            problems.append(f"{path}: {count} axe violation(s)\n{report}")
    assert not problems, "\n\n".join(problems)
    assert not page.console_errors


def test_case_list_rows_are_cards_with_status_stage_and_deadline_first(page):
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.set_viewport_size(PHONE)
    page.goto("/cases")
    row = page.locator("table.cases tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "flex"
    # The cells in the order they are seen: status, stage, deadline come before the rest.
    labels = row.evaluate("""r => [...r.children]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map(c => c.dataset.label)""")
    assert labels[:3] == ["Status", "Skede", "Nästa tidsfrist"], labels
    before = page.locator("table.cases tbody tr td.key-1").first.evaluate(
        "c => getComputedStyle(c, '::before').content")
    assert "Status" in before
    # The column headings are hidden from sight (kept for screen readers); each card fits the phone.
    assert not page.locator("table.cases thead th").first.is_visible() or \
        page.locator("table.cases thead").bounding_box()["width"] <= 1
    assert row.bounding_box()["width"] <= PHONE["width"]


def test_filters_fold_on_a_phone_and_stay_open_on_a_desk(page):
    sign_in(page, DEMO_LOGINS["hr_officer"])
    page.set_viewport_size(PHONE)
    page.goto("/cases")
    details = page.locator("details.filter-details")
    assert details.get_attribute("open") is None
    assert not page.locator("#q, input[name=q]").first.is_visible()
    details.locator("summary").click()
    assert page.locator("input[name=q]").first.is_visible()
    # A filter in use stays visible after the search.
    page.goto("/cases?q=zzz")
    assert details.get_attribute("open") is not None
    # On a desk the filters are open and the summary is not shown.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/cases")
    assert details.get_attribute("open") is not None
    assert not details.locator("summary").is_visible()
    # (axe on the HR officer's /cases at 1280 px: test_accessibility.py)
