"""Browser (issue 17 item 11): screens as evidence. The main pages of each role, at 1280 and 390 px, saved as
PNG files into $SCREENSHOT_DIR (CI uploads that folder as an artefact) or tests/browser/screenshots/, and
zero axe violations on every one of them: axe runs here on the screens no other module checks for that
role at that width (CHECKED_ELSEWHERE, built from those modules' own lists: test_accessibility.py's pages at
1280 px and its narrow pages at 390 px, test_todo.py's home and notification pages at both widths,
test_responsive.py's lists at 390 px), so each role, page and width is checked once in the suite."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import test_accessibility, test_responsive, test_todo
from tests.browser.conftest import DEMO_LOGINS, axe_violations, sign_in
from tests.browser.test_accessibility import _demo_ids

WIDTHS = (1280, 390)
# home, case list, case page, a stage view, audit page, notifications: those each role may open.
SCREENS = {
    "hr_officer": ["/home", "/cases", "/cases/{case}", "/cases/{case}/stages/early_information",
                   "/cases/{case}/audit", "/notifications"],
    "union_rep": ["/home", "/cases", "/cases/{case}", "/cases/{case}/stages/alternatives", "/notifications"],
    "safety_rep": ["/home", "/cases/{case}", "/cases/{case}/stages/effects", "/notifications"],
    "decision_maker": ["/home", "/cases", "/cases/{case}", "/cases/{case}/stages/decision", "/notifications"],
    "auditor": ["/home", "/cases", "/cases/{case}", "/cases/{case}/stages/early_information",
                "/cases/{case}/audit", "/audit"],
}


# (role, path template, width) checked with axe by another module of this folder.
CHECKED_ELSEWHERE = (
    {(role, path, test_accessibility.WIDTH) for role, paths in test_accessibility.PAGES.items() for path in paths}
    | {("hr_officer", path, 390) for path in test_accessibility.NARROW_PATHS}
    | {(role, path, width) for role in test_todo.AXE_ROLES for path in test_todo.AXE_PATHS
       for width in test_todo.WIDTHS}
    | {(role, path, test_responsive.PHONE["width"]) for role, path, _ in test_responsive.LISTS
       if test_responsive.axe_here(role, path)}
)


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).parent / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_name(role: str, path: str, width: int) -> str:
    slug = path.strip("/").replace("/", "_") or "root"
    return f"{role}__{slug}__{width}.png"


@pytest.mark.parametrize("role", list(SCREENS))
def test_main_pages_per_role_are_saved_as_screenshots_and_pass_axe(page, role):
    ids = _demo_ids()
    sign_in(page, DEMO_LOGINS[role])
    folder = screenshot_dir()
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for template in SCREENS[role]:
            path = template.format(**ids)
            response = page.goto(path)
            if response.status != 200:
                problems.append(f"{path} at {width} px: HTTP {response.status}")
                continue
            target = folder / _file_name(role, template.replace("{case}", "case"), width)
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 1000, f"{target} is empty"
            if (role, template, width) in CHECKED_ELSEWHERE:
                continue
            count, report = axe_violations(page)
            if count:
                problems.append(f"{path} at {width} px: {count} violation(s)\n{report}")
    assert not problems, "\n\n".join(problems)
    assert not page.console_errors
