"""Case list at scale: visibility as id IN (UNION ...), a capped count."""
from __future__ import annotations

from sqlalchemy import select

from tracker.cases import queries
from tracker.cases.models import Case
from tracker.cases.policy import visible_cases
from tracker.extensions import db
from tracker.steering.models import Party


def _ids(user):
    return sorted(db.session.execute(visible_cases(user).with_only_columns(Case.id)).scalars())


def test_hr_sees_own_and_member_cases_once_each(factory):
    hr, other = factory.user("hr_officer"), factory.user("hr_officer")
    own = factory.case(hr=hr)
    both = factory.case(hr=hr)
    factory.member(both, hr, Party.EMPLOYER)
    via_membership = factory.case(hr=other)
    factory.member(via_membership, hr, Party.EMPLOYER)
    factory.case(hr=other)  # not visible
    union_rep = factory.user("union_rep")
    factory.member(via_membership, union_rep, Party.PERSONNEL)
    assert _ids(hr) == sorted([own.id, both.id, via_membership.id])
    assert len(db.session.execute(visible_cases(hr)).scalars().all()) == 3
    assert _ids(union_rep) == [via_membership.id]
    assert len(_ids(factory.user("auditor"))) == 4
    assert _ids(factory.user("admin")) == []


def test_count_beyond_the_cap_says_more_than(factory, web, monkeypatch):
    hr = factory.user("hr_officer")
    for _ in range(7):
        factory.case(hr=hr)
    web.login(hr.email, factory.password)
    html = web.client.get("/cases").get_data(as_text=True)
    assert "7 ärenden" in html
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    html = web.client.get("/cases").get_data(as_text=True)
    assert "Fler än 3 ärenden" in html and 'rel="next"' in html
    # Paging on past the cap keeps working; near the end the count is exact again.
    html = web.client.get("/cases?page=4").get_data(as_text=True)
    assert "Sida 4 av 4" in html and "7 ärenden" in html
    assert len(db.session.execute(select(Case.id)).all()) == 7


def test_an_absurd_page_number_is_the_last_page_not_an_error(factory, web):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    web.login(hr.email, factory.password)
    for page in ("99999999999999999999999", "-5", "abc"):
        response = web.client.get(f"/cases?page={page}")
        assert response.status_code == 200 and case.diary_number in response.get_data(as_text=True)
