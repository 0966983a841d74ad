"""The case page by stage (issue 17 item 2): summary header, stepper, each stage on its own view,
only the current stage's forms open, confirmations beside their action and focused."""
from __future__ import annotations

import re

from tests.cases.test_views import switch
from tests.conftest import counting_queries
from tests.procedure.helpers import complete_early_information, staff
from tracker.cases.models import Case
from tracker.discussion import services as discussion
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.steering.models import Party


def _html(web, path: str, status: int = 200) -> str:
    response = web.client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def _stepper(html: str) -> str:
    return html[html.index('class="stepper"'):html.index("</nav>", html.index('class="stepper"'))]


def test_summary_header_and_stepper(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    db.session.commit()
    web.login(hr.email, factory.password)
    html = _html(web, f"/cases/{case.id}")
    assert case.diary_number in html and "Nästa åtgärd" in html and "Spärrar" in html
    assert "Närmaste tidsfrist" in html
    stepper = _stepper(html)
    assert stepper.count("<li") == 7 and "<ol>" in stepper
    # aria-current on the current stage only, a text status on every stage.
    assert stepper.count("aria-current") == 1
    assert re.search(rf'href="/cases/{case.id}/stages/grounds" aria-current="step"', stepper)
    assert stepper.count('class="step-status"') == 7
    assert "Avslutat" in stepper and "Pågår" in stepper and "Väntar" in stepper
    # The next action names the current stage and links to where it is done.
    next_action = html.split("Nästa åtgärd", 1)[1][:300]
    assert f'href="/cases/{case.id}/stages/grounds' in next_action and "Grunder" in next_action


def test_case_page_shows_the_current_stage_only(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    union, _safety = staff(factory, case)
    complete_early_information(case, hr)
    discussion.add_comment(union, case, "early_information", "En tidig synpunkt")
    discussion.add_comment(union, case, "grounds", "Synpunkt om skälen")
    db.session.commit()
    web.login(hr.email, factory.password)
    html = _html(web, f"/cases/{case.id}")
    assert 'id="stage-grounds"' in html and 'id="stage-early_information"' not in html
    assert "Synpunkt om skälen" in html and "En tidig synpunkt" not in html
    # Only the current stage's forms, and they are open.
    assert re.search(r'<details class="stage-edit" open>', html)
    assert 'name="grounds-reasons"' in html and 'name="early_information-information_given"' not in html
    # The earlier stage has its own view with its record and discussion; its forms are not open.
    early = _html(web, f"/cases/{case.id}/stages/early_information")
    assert 'id="stage-early_information"' in early and "En tidig synpunkt" in early
    assert "Information om planerna" in early and "Synpunkt om skälen" not in early
    assert '<details class="stage-edit" open>' not in early
    assert 'aria-current="step"' in early  # the stepper still marks the current stage


def test_stage_view_answers_404_for_an_unknown_stage_or_an_invisible_case(factory, web):
    case = factory.case()
    web.login(case.responsible_hr.email, factory.password)
    _html(web, f"/cases/{case.id}/stages/nonsense", 404)
    outsider = factory.user("union_rep")
    switch(web, outsider, factory.password)
    _html(web, f"/cases/{case.id}/stages/grounds", 404)


def test_registering_a_case_shows_a_focused_confirmation(factory, web):
    hr = factory.user("hr_officer")
    factory.units("Kök")
    web.login(hr.email, factory.password)
    response = web.post("/cases/new", {"title": "Ny kökorganisation", "change_kind": "reorganisation",
                                       "staff_affected": "4", "units": ["Kök"], "profile_code": "se-mbl"},
                        token_from="/cases/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("#confirmation")
    case = db.session.query(Case).one()
    html = _html(web, response.headers["Location"])
    assert f"Ärendet är registrerat med diarienummer {case.diary_number}" in html
    assert re.search(r'<div class="flashes flashes-placed" role="status" id="confirmation" tabindex="-1" autofocus>',
                     html)
    assert html.count("autofocus") == 1


def test_a_saved_stage_shows_its_confirmation_beside_the_stage_actions(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    response = web.post(f"/cases/{case.id}/stages/early_information/content",
                        {"early_information-information_given": "Vi informerade"}, token_from=f"/cases/{case.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/stages/early_information#confirmation")
    html = _html(web, response.headers["Location"])
    section = html[html.index('id="stage-early_information"'):]
    # Inside the stage's section, before its actions; the only focus target on the page.
    assert section.index('id="confirmation"') < section.index('id="stage-actions"')
    assert "Uppgifterna är sparade." in section and html.count("autofocus") == 1
    top = html[:html.index('class="stepper"')]
    assert "Uppgifterna är sparade." not in top


def test_a_failed_form_puts_an_error_summary_first_and_focuses_it(factory, web):
    case = factory.case()
    union, _safety = staff(factory, case)
    db.session.commit()
    web.login(union.email, factory.password)
    response = web.post(f"/cases/{case.id}/stages/early_information/positions", {"position-early_information-text": ""},
                        token_from=f"/cases/{case.id}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r"<title>Fel: ", html)
    summary = html[html.index('id="error-summary"') - 80:]
    assert 'autofocus' in summary[:200] and 'href="#position-early_information-text"' in summary
    assert html.count("autofocus") == 1


def test_milestones_are_links_to_confirmation_pages_not_one_click_forms(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    ps.update_stage(hr, case, "grounds", reasons="Budgetläget", documents_tabled="Budget")
    db.session.commit()
    web.login(hr.email, factory.password)
    html = _html(web, f"/cases/{case.id}")
    assert f'href="/cases/{case.id}/stages/grounds/complete"' in html
    assert not re.search(r'<form[^>]*action="[^"]*/complete"', html)
    early = _html(web, f"/cases/{case.id}/stages/early_information")
    assert f'class="button-warning" href="/cases/{case.id}/stages/early_information/reopen"' in early
    assert not re.search(r'<form[^>]*action="[^"]*/reopen"', early)


def test_the_case_page_costs_the_same_queries_with_more_content(factory, web):
    def count(case, hr) -> int:
        switch(web, hr, factory.password)
        with counting_queries() as statements:
            assert web.client.get(f"/cases/{case.id}").status_code == 200
        return len(statements)

    counts = []
    for n in (1, 15):
        case = factory.case()
        hr = case.responsible_hr
        union, _safety = staff(factory, case)
        for i in range(n):
            extra = factory.user("union_rep")
            factory.member(case, extra, Party.PERSONNEL)
            discussion.add_comment(union, case, "early_information", f"Kommentar {i}")
        db.session.commit()
        counts.append(count(case, hr))
    assert counts[0] == counts[1]
