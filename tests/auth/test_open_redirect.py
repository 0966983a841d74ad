"""After login (and after a language change) the browser goes only to a path of this site."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tracker.web.redirects import safe_next

OFF_SITE = ["https://evil.example/", "//evil.example", "/\\evil.example", "/\\/evil.example", "/\t/evil.example",
            "/\n/evil.example", "javascript:alert(1)", "evil.example", ""]


@pytest.mark.parametrize("target", OFF_SITE)
def test_targets_that_leave_the_site_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/cases/3", "/cases?page=2&q=a", "/audit#x", "/%0a"])
def test_paths_of_this_site_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example"])
def test_login_never_redirects_off_site(web, factory, target):
    user = factory.user("hr_officer")
    token = web.token("/login")
    response = web.client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                               "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
