"""Browser (issue 17): the home page's to-do list is reached in few Tab presses by every role that
acts in cases, items appear and disappear with the task, and axe finds nothing on home and the
notification list (all, open, unread) at desk and phone widths for every role. These are the suite's axe
checks of those pages (test_accessibility.py, test_screenshots.py and test_responsive.py leave them to this
module; the workflow tests check them again only in states of their own)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import DEMO_LOGINS, axe_violations, sign_in
from tracker.auth.models import User
from tracker.extensions import db

ACTING_ROLES = ["hr_officer", "union_rep", "safety_rep", "decision_maker"]
MAX_TABS = 10
WIDTHS = (1280, 390)
# The pages checked with axe here, for every role at both widths.
AXE_ROLES = [*ACTING_ROLES, "auditor", "admin"]
AXE_PATHS = ("/home", "/notifications", "/notifications?state=open", "/notifications?state=unread")


def _focused_is_first_todo(page) -> bool:
    return page.evaluate("document.activeElement === document.querySelector('#todo .todo-action')")


def _tabs_to_first_todo(page, *, use_skip_link: bool, limit: int = 40) -> int | None:
    """Tab presses from a fresh home page until the first to-do action has the focus (None: never)."""
    page.goto("/home")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if use_skip_link and presses == 1:
            assert page.evaluate("document.activeElement.classList.contains('skip-link')"), "skip link is not first"
            page.keyboard.press("Enter")
            continue
        if _focused_is_first_todo(page):
            return presses
    return None


@pytest.mark.parametrize("role", ACTING_ROLES)
def test_first_todo_action_within_ten_tab_presses(page, role):
    sign_in(page, DEMO_LOGINS[role])
    page.goto("/home")
    assert page.locator("#todo .todo-action").count() >= 1, f"the demo {role} has nothing to do"
    with_skip = _tabs_to_first_todo(page, use_skip_link=True)
    assert with_skip is not None and with_skip <= MAX_TABS, f"{role}: {with_skip} Tab presses"
    tabs_only = _tabs_to_first_todo(page, use_skip_link=False)
    # Without the skip link the header comes first (brand, menu, language, notifications, account):
    # the to-do list is the first thing in <main>, so this is within the target too.
    assert tabs_only is not None and tabs_only <= MAX_TABS, f"{role}: {tabs_only} Tab presses without it"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", AXE_ROLES)
def test_home_and_notifications_have_no_axe_violations(page, role, width):
    sign_in(page, DEMO_LOGINS[role])
    page.set_viewport_size({"width": width, "height": 900})
    for path in AXE_PATHS:
        response = page.goto(path)
        assert response.status == 200
        count, report = axe_violations(page)
        assert count == 0, f"{role} {path} at {width}px:\n{report}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} is wider than {width}px"
    assert not page.console_errors


def test_a_task_appears_and_disappears_for_the_union_rep(page, live_server, demo_data):
    """The minutes sent for approval appear on the signatory's home page; approving removes them."""
    from tests.meetings.helpers import at
    from tracker.demo import DEMO_PASSWORD
    from tracker.meetings import services as meetings
    from tracker.steering.models import SteeringMember

    union = db.session.execute(select(User).where(User.email == DEMO_LOGINS["union_rep"])).scalar_one()
    membership = db.session.execute(select(SteeringMember).where(
        SteeringMember.user_id == union.id, SteeringMember.left_at.is_(None),
        SteeringMember.role == "signatory")).scalars().first()
    if membership is None:
        pytest.skip("the demo union representative signs no minutes")
    from tracker.cases.models import Case

    case = db.session.get(Case, membership.case_id)
    m = meetings.schedule_meeting(case.responsible_hr, case, starts_at=at(-1), ends_at=at(-1, 11),
                                  title="Extra förhandlingsmöte", place="Stadshuset", stages=["closing"])
    meetings.save_minutes(case.responsible_hr, m, "Protokoll från extramötet")
    meetings.submit_minutes(case.responsible_hr, meetings.minutes_of(m))
    db.session.commit()
    meeting_id = m.id
    db.session.remove()  # let the server thread write (SQLite)

    sign_in(page, DEMO_LOGINS["union_rep"])
    page.goto("/home")
    item = page.locator("#todo .todo-action", has_text="Extra förhandlingsmöte")
    assert item.count() == 1
    with page.expect_navigation():
        item.click()
    assert page.url.endswith(f"/meetings/{meeting_id}#minutes")
    page.fill("#approve-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form[action$='/approve'] button[type=submit]")
    page.goto("/home")
    assert page.locator("#todo .todo-action", has_text="Extra förhandlingsmöte").count() == 0
    page.goto("/notifications")
    done = page.locator(".notification", has_text="Extra förhandlingsmöte")
    assert done.count() == 1 and done.locator(".tag-ok").count() == 1
