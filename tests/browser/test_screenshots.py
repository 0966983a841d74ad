"""Browser (issue 17 item 11): screens as evidence. The main pages of each role, at 1280 and 390 px, saved as
PNG files into $SCREENSHOT_DIR (CI uploads that folder as an artefact) or tests/browser/screenshots/, with
axe run on every one of them: zero violations at both widths."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import DEMO_LOGINS, axe_violations, login
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
    login(page, DEMO_LOGINS[role])
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
            count, report = axe_violations(page)
            if count:
                problems.append(f"{path} at {width} px: {count} violation(s)\n{report}")
    assert not problems, "\n\n".join(problems)
    assert not page.console_errors
