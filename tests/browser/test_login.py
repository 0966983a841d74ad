"""Each demo role logs in, lands on its home page, switches language and logs out; axe finds nothing on the
login page (with and without field errors) and the English home page. (The Swedish home page of every role
is checked with axe in tests/browser/test_todo.py, at 1280 and 390 px.)"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DEMO_LOGINS, axe_violations, login, logout, switch_language

HOME_HEADINGS = {
    "hr_officer": "Dina ärenden som HR-handläggare",
    "decision_maker": "Beslut",
    "union_rep": "Ärenden där du företräder personalen",
    "safety_rep": "Ärenden där du företräder personalen",
    "auditor": "Granskning",
    "admin": "Administration",
}
ROLE_NAMES = {
    "hr_officer": "HR-handläggare", "decision_maker": "Beslutsfattare", "union_rep": "Facklig företrädare",
    "safety_rep": "Skyddsombud", "auditor": "Revisor", "admin": "Administratör",
}


def test_login_page_is_swedish(page):
    page.goto("/")
    assert page.url.endswith("/login")
    assert page.get_attribute("html", "lang") == "sv"
    assert page.locator("h1").inner_text() == "Logga in"
    assert page.get_by_label("E-postadress").is_visible()
    assert page.get_by_label("Lösenord").is_visible()


@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_each_demo_role_logs_in_sees_its_home_and_logs_out(page, role):
    login(page, DEMO_LOGINS[role])
    assert page.url.endswith("/home")
    assert page.locator("h1").inner_text().startswith("Välkommen")
    assert page.locator(".role-line").get_attribute("data-role") == role
    assert ROLE_NAMES[role] in page.locator(".role-line").inner_text()
    assert page.locator("#role-heading").inner_text() == HOME_HEADINGS[role]
    admin_link = page.locator("nav a[href='/admin/users']")
    assert admin_link.count() == (1 if role == "admin" else 0)

    logout(page)
    assert page.url.endswith("/login")
    assert "Du är utloggad." in page.content()
    page.goto("/home")
    assert page.url.split("?")[0].endswith("/login")
    assert not page.console_errors, page.console_errors


def test_wrong_password_shows_the_error_on_the_login_page(page):
    login(page, "hr@example.org", "not-the-password")
    assert page.url.endswith("/login")
    alert = page.get_by_role("alert")  # one alert: the error summary, which takes the focus
    assert "Fel e-postadress eller lösenord." in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Fel: ")


def test_error_summary_links_move_to_the_field(page):
    page.goto("/login")
    page.fill("#email", "hr@example.org")
    with page.expect_navigation():
        page.click("form[action$='/login'] button[type=submit]")
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "password"


def test_switch_language_before_and_after_login(page):
    page.goto("/login")
    switch_language(page, "en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Log in"

    login(page, DEMO_LOGINS["union_rep"])
    assert page.url.endswith("/home")
    assert re.match(r"Welcome, ", page.locator("h1").inner_text())
    assert "Union representative" in page.locator(".role-line").inner_text()

    switch_language(page, "sv")
    assert page.url.endswith("/home")
    assert page.get_attribute("html", "lang") == "sv"
    assert page.locator("h1").inner_text().startswith("Välkommen")
    logout(page)
    assert page.locator("h1").inner_text() == "Logga in"


def test_skip_link_moves_focus_to_main(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.keyboard.press("Enter")
    # The fragment navigation completes asynchronously: wait for it rather than read the URL at once.
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    assert page.evaluate("document.activeElement.id") == "main"


def _assert_no_violations(page, where: str) -> None:
    count, report = axe_violations(page)
    if count:
        print(f"axe violations on {where}:\n{report}")
    assert count == 0, f"{count} axe violations on {where}:\n{report}"


def test_login_page_has_no_axe_violations(page):
    page.goto("/login")
    _assert_no_violations(page, "/login")
    # With errors shown next to the fields too.
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_selector("#email-error")
    _assert_no_violations(page, "/login with field errors")


def test_english_home_page_has_no_axe_violations(page):
    page.goto("/login")
    switch_language(page, "en")
    login(page, DEMO_LOGINS["hr_officer"])
    _assert_no_violations(page, "/home in English")
