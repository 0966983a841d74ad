"""The new case-page forms of issue 14 items 10-12 (decision makers, material changes, decision
statement) under random input, with the same strategies as tests/test_fuzz_forms.py: no input makes
the app answer 5xx. The demo's case 1 carries only the assignment forms (tests/test_fuzz_forms.py
finds those); this builds a case at the decision with an open material change so every new form is
on the page."""
from __future__ import annotations

import pytest

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tests.test_fuzz_forms import FormParser, _fuzz
from tracker.cases import services as cs
from tracker.extensions import db

NEW_ACTIONS = ("/decision-makers", "/material-changes/", "/decision-statement")


@pytest.fixture
def world(factory):
    case = factory.case(profile="fi-municipal", staff_affected=8, units=["Skola A"])
    hr = case.responsible_hr
    _union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.user("decision_maker")  # a candidate left to assign
    cs.assign_decision_maker(hr, case, dm)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    cs.update_case(hr, case, staff_affected=12)
    db.session.commit()
    return case, hr, dm


@pytest.mark.parametrize("who", ["hr", "dm"])
def test_random_input_to_the_new_forms_never_answers_5xx(world, factory, web, who):
    case, hr, dm = world
    web.login((hr if who == "hr" else dm).email, factory.password)
    parser = FormParser(f"/cases/{case.id}")
    parser.feed(web.client.get(f"/cases/{case.id}").get_data(as_text=True))
    forms = [f for f in parser.forms if any(a in f.action for a in NEW_ACTIONS)]
    expected = {"hr": 5, "dm": 1}[who]  # hr: assign, end, reopen, keep, statement; dm: statement
    assert len(forms) == expected, [f.action for f in forms]
    problems: list[str] = []
    for form in forms:
        _fuzz(web, form, problems, [])
    assert not problems, "\n".join(problems)
