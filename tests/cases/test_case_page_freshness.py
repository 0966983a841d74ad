"""The case page always shows the current state: after every kind of change, for every user."""
from __future__ import annotations

import re

from tests.cases.test_views import switch
from tests.conftest import counting_queries as count_queries
from tests.procedure.helpers import complete_early_information, staff
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.steering.models import Party


def _get(web, case):
    with count_queries() as statements:
        response = web.client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def _main(html: str) -> str:
    """The page without its header (the part the cache keeps)."""
    return html[html.index("<h1"):]


def _tokens_blanked(html: str) -> str:
    """Signed CSRF tokens carry a timestamp (seconds): blank them to compare renders."""
    return re.sub(r'(csrf_token"[^>]*value=")[^"]+"', r'\1"', html)


def test_state_changes_show_on_the_next_get(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    _get(web, case)

    newcomer = factory.user("union_rep", name="Nyanländ Ombudsperson")
    factory.member(case, newcomer, Party.PERSONNEL)
    html, _n = _get(web, case)
    assert "Nyanländ Ombudsperson" in html

    staff(factory, case)
    _get(web, case)
    complete_early_information(case, hr)
    html, _n = _get(web, case)
    # The stepper: the first stage's link, its status in words.
    assert re.search(rf'step-completed[^"]*"\s*>\s*<a href="/cases/{case.id}/stages/early_information"', html)

    ps.add_position(hr, case, "grounds", "Arbetsgivarens ståndpunkt om skälen")
    db.session.commit()
    html, _n = _get(web, case)
    assert "Arbetsgivarens ståndpunkt om skälen" in html


def test_change_over_http_shows_immediately(factory, web):
    case = factory.case()
    factory.units("Städ")
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    _get(web, case)
    response = web.post(f"/cases/{case.id}/edit", {
        "title": "Ny rubrik via formuläret", "change_kind": case.change_kind, "staff_affected": "3",
        "units": ["Städ"], "profile_code": case.profile_code}, token_from=f"/cases/{case.id}/edit")
    assert response.status_code == 302
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ny rubrik via formuläret" in html


def test_user_without_access_gets_404_after_viewing(factory, web):
    case = factory.case()
    web.login(case.responsible_hr.email, factory.password)
    _get(web, case)
    outsider = factory.user("union_rep")
    switch(web, outsider, factory.password)
    assert web.client.get(f"/cases/{case.id}").status_code == 404
    # Access removed after a view: the next GET is 404.
    member = factory.user("union_rep")
    factory.member(case, member, Party.PERSONNEL)
    switch(web, member, factory.password)
    _get(web, case)
    from tracker.steering import services as steering

    steering.end_membership(case.responsible_hr, steering.current_membership(case, member), "Slutat")
    db.session.commit()
    assert web.client.get(f"/cases/{case.id}").status_code == 404


def test_two_users_each_see_their_own_page(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    union, _safety = staff(factory, case)
    web.login(hr.email, factory.password)
    hr_html, _n = _get(web, case)
    switch(web, union, factory.password)
    union_html, _n = _get(web, case)
    assert 'class="user-name">' + union.name in union_html
    assert _main(union_html) != _main(hr_html)  # different forms, and each session's own CSRF token
    switch(web, hr, factory.password)  # a new session: a new CSRF token, so a new entry
    again, _n = _get(web, case)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', again)
    assert token is not None and token.group(1) not in hr_html


def test_flashed_messages_are_shown_once(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    with web.client.session_transaction() as session:
        session["_flashes"] = [("success", "Ett engångsmeddelande")]
    html, _n = _get(web, case)
    assert "Ett engångsmeddelande" in html
    html, _n = _get(web, case)
    assert "Ett engångsmeddelande" not in html


def test_verification_run_refreshes_the_badge(factory, web):
    from tracker.audit.verify import store_result, verify_chain

    case = factory.case()
    web.login(case.responsible_hr.email, factory.password)
    before, _n = _get(web, case)
    store_result(verify_chain(), source="cli")
    db.session.commit()
    after, _n = _get(web, case)
    assert after != before


def test_a_new_notification_shows_in_the_header(factory, web):
    from tracker.notifications import services as notifications
    from tracker.notifications.models import NotificationKind

    case = factory.case()
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    before, _n = _get(web, case)
    assert 'class="badge" aria-label="0 olästa">0<' in before
    notifications.notify(hr, NotificationKind.MEMBER_ADDED, {"role": "member"}, case=case)
    db.session.commit()
    after, _n = _get(web, case)
    assert 'class="badge" aria-label="1 olästa">1<' in after
    assert _tokens_blanked(_main(after)) == _tokens_blanked(_main(before))  # the content itself is unchanged
