"""Out-of-range filters and cursors on the audit pages answer 400 with the filters marked, never 500
(issue 15, finding 11)."""
from __future__ import annotations

import pytest

from tracker.extensions import db

BAD_DATES = [("date_to=9999-12-31", "date_to"), ("date_from=0001-01-01", "date_from"),
             ("date_from=0001-01-01&date_to=9999-12-31", "date_from"), ("date_to=0001-01-01", "date_to"),
             ("date_from=9999-12-31", "date_from")]
BAD_CURSORS = ["before=99999999999999999999", "after=99999999999999999999", "before=-1", "after=abc",
               "before=9223372036854775808", "after=1e400"]


@pytest.fixture
def trails(web, factory):
    """The global trail and a case's trail, for an auditor."""
    auditor = factory.user("auditor")
    case = factory.case()
    db.session.commit()
    assert web.login(auditor.email, factory.password).status_code == 302
    return ["/audit", f"/cases/{case.id}/audit"]


@pytest.mark.parametrize("query, field", BAD_DATES)
def test_dates_at_the_ends_of_the_calendar_are_a_field_error(web, trails, query, field):
    for path in trails:
        response = web.client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        html = response.get_data(as_text=True)
        assert f'id="{field}-error"' in html and "Ange ett datum mellan 1900-01-01 och 2999-12-31." in html


@pytest.mark.parametrize("query", BAD_CURSORS)
def test_absurd_cursors_are_a_400_with_a_message(web, trails, query):
    for path in trails:
        response = web.client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert "Kontrollera filtren nedan." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=-1", "date_from=1900-01-01&date_to=2999-12-31",
                                   "before=9223372036854775807", "after=0"])
def test_in_range_or_unknown_parameters_answer_200(web, trails, query):
    for path in trails:
        assert web.client.get(f"{path}?{query}").status_code == 200, path
