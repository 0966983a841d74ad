"""Out-of-range dates on the export overview and bulk export answer 400 with the field marked (issue 15, 11)."""
from __future__ import annotations

import pytest

MESSAGE = "Ange ett datum mellan 1900-01-01 och 2999-12-31."


@pytest.mark.parametrize("query", ["registered_to=9999-12-31", "registered_from=0001-01-01",
                                   "registered_from=0001-01-01&registered_to=9999-12-31", "registered_to=0001-01-01"])
def test_overview_rejects_dates_at_the_ends_of_the_calendar(web, setup, query):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.client.get(f"/exports?{query}")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"registered_to": "9999-12-31"}, {"registered_from": "0001-01-01"}])
def test_bulk_export_rejects_dates_at_the_ends_of_the_calendar(web, setup, data):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.post("/exports/bulk", data, token_from="/exports")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=99999999999999999999", "registered_from=1900-01-01&registered_to=2999-12-31"])
def test_overview_in_range_or_unknown_parameters_answer_200(web, setup, query):
    web.login(setup["auditor"].email, "correct-horse-battery")
    assert web.client.get(f"/exports?{query}").status_code == 200
