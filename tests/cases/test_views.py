import re
from datetime import date

import pytest

from tests.procedure.helpers import complete_early_information, staff
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.steering.models import Party


def switch(web, user, password):
    """Log in as another user in a fresh cookie jar."""
    from flask import current_app

    web.client = current_app.test_client()
    web.login(user.email, password)


def test_hr_registers_a_case_over_http(factory, web):
    hr = factory.user("hr_officer")
    factory.units("Städ", "Kök", "Växeln")
    web.login(hr.email, factory.password)
    form = web.client.get("/cases/new").get_data(as_text=True)
    assert form.index('name="profile_code"') < form.index('name="title"')  # the governing choice first
    assert re.findall(r'name="units"[^>]*value="([^"]+)"', form) == ["Kök", "Städ", "Växeln"]  # the register
    response = web.post("/cases/new", {"title": "Ny städorganisation", "change_kind": "reorganisation",
                                       "staff_affected": "12", "units": ["Städ", "Kök"], "profile_code": "fi-municipal",
                                       "may_reduce_staff": "y"}, token_from="/cases/new")
    assert response.status_code == 302
    case = db.session.query(Case).one()
    assert case.responsible_hr_id == hr.id and case.unit_names == ["Kök", "Städ"] and case.may_reduce_staff
    page = web.client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.diary_number in page and "Ny städorganisation" in page


def test_bad_registration_input_is_400_with_field_error_and_input_kept(factory, web):
    hr = factory.user("hr_officer")
    web.login(hr.email, factory.password)
    response = web.post("/cases/new", {"title": "", "description": "Behåll mig", "change_kind": "reorganisation",
                                       "staff_affected": "-3", "profile_code": "se-mbl"}, token_from="/cases/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ange en rubrik." in html and "Behåll mig" in html and 'aria-invalid="true"' in html
    # Every form page with errors says so first in its title (base.html), as the case page does.
    assert "<title>Fel: " in html
    assert "<title>Fel: " not in web.client.get("/cases/new").get_data(as_text=True)
    response = web.post("/cases/new", {"title": "Stort", "is_large": "y", "change_kind": "merger",
                                       "profile_code": "se-mbl"}, token_from="/cases/new")
    assert response.status_code == 400 and "minst en berörd enhet" in response.get_data(as_text=True)
    assert db.session.query(Case).count() == 0


@pytest.mark.parametrize("role,status", [("union_rep", 403), ("auditor", 403), ("admin", 403),
                                         ("decision_maker", 403)])
def test_only_hr_may_register(factory, web, role, status):
    user = factory.user(role)
    web.login(user.email, factory.password)
    assert web.client.get("/cases/new").status_code == status


def test_invisible_case_is_404_and_admin_has_no_case_access(factory, web):
    case = factory.case()
    outsider = factory.user("union_rep")
    web.login(outsider.email, factory.password)
    assert web.client.get(f"/cases/{case.id}").status_code == 404
    assert case.diary_number not in web.client.get("/cases").get_data(as_text=True)
    admin = factory.user("admin")
    switch(web, admin, factory.password)
    # No case access at all: a case the user cannot see answers 404, not 403 (issue 14 item 13).
    assert web.client.get(f"/cases/{case.id}").status_code == 404


def test_edit_case(factory, web):
    case = factory.case(units=["A"])  # A was named before the register held it: the case keeps it on offer
    factory.units("B")
    web.login(case.responsible_hr.email, factory.password)
    response = web.post(f"/cases/{case.id}/edit", {"title": "Ändrad", "change_kind": "merger", "units": ["A", "B"],
                                                   "staff_affected": "3"}, token_from=f"/cases/{case.id}/edit")
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.title == "Ändrad" and case.unit_names == ["A", "B"]


def test_list_filters_and_search(factory, web):
    hr = factory.user("hr_officer")
    a = factory.case(hr, title="Kotihoito", profile="fi-municipal", units=["Kotihoito"])
    b = factory.case(hr, title="Städ", profile="se-mbl", units=["Städ"])
    web.login(hr.email, factory.password)

    def listed(query):
        html = web.client.get("/cases" + query).get_data(as_text=True)
        return {c.diary_number for c in (a, b) if c.diary_number in html}

    assert listed("") == {a.diary_number, b.diary_number}
    assert listed("?q=kotih") == {a.diary_number}
    assert listed(f"?q={b.diary_number}") == {b.diary_number}
    assert listed("?profile=se-mbl") == {b.diary_number}
    assert listed("?unit=st%C3%A4d") == {b.diary_number}
    assert listed("?stage=grounds") == set()
    assert listed("?non_compliance=y") == set()
    assert web.client.get("/cases?stage=nonsense").status_code == 400


def test_stage_actions_over_http_with_gate_reasons(factory, web):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}"
    html = web.client.get(page).get_data(as_text=True)
    assert "Styrnings- och uppföljningsgruppen saknar en företrädare för personalen." in html and "disabled" in html
    response = web.post(f"/cases/{case.id}/stages/early_information/complete", {}, token_from=page)
    assert response.status_code == 409
    union, safety = staff(factory, case)
    response = web.post(f"/cases/{case.id}/stages/early_information/content", {
        "early_information-information_given": "Info", "early_information-information_to": "Alla",
        "early_information-information_given_on": "2026-01-10"}, token_from=page)
    assert response.status_code == 302
    response = web.post(f"/cases/{case.id}/stages/early_information/complete", {}, token_from=page)
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.current_stage == "grounds"
    # bad date: 400, the error tied to the field, the input kept
    response = web.post(f"/cases/{case.id}/stages/grounds/content", {
        "grounds-reasons": "Skälen här", "grounds-documents_tabled": "x"}, token_from=page)
    assert response.status_code == 302
    response = web.post(f"/cases/{case.id}/stages/grounds/content", {
        "grounds-reasons": "Min text", "grounds-documents_tabled": "x" * 30000}, token_from=page)
    assert response.status_code == 400 and "Min text" in response.get_data(as_text=True)


def test_union_adds_position_over_http(factory, web):
    case = factory.case()
    union, _ = staff(factory, case)
    web.login(union.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/stages/early_information/positions",
                        {"position-early_information-text": "Vi vill ha mer information", "position-early_information-dissent": "y"}, token_from=page)
    assert response.status_code == 302
    html = web.client.get(page).get_data(as_text=True)
    assert "Vi vill ha mer information" in html and "Avvikande mening" in html
    response = web.post(f"/cases/{case.id}/stages/early_information/positions", {"position-early_information-text": ""},
                        token_from=page)
    assert response.status_code == 400
    # union reps do not run the procedure
    assert web.post(f"/cases/{case.id}/stages/early_information/complete", {}, token_from=page).status_code == 403


def test_override_over_http_only_decision_maker_and_shown_to_auditor(factory, web):
    case = factory.case()
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    page = f"/cases/{case.id}"
    web.login(case.responsible_hr.email, factory.password)
    assert web.post(f"/cases/{case.id}/overrides", {"override-deadline_code": "closing_not_ended",
                                                    "override-reason": "Ett långt nog skäl"},
                    token_from=page).status_code == 403
    switch(web, dm, factory.password)
    response = web.post(f"/cases/{case.id}/overrides", {"override-deadline_code": "closing_not_ended",
                                                        "override-reason": "kort"}, token_from=page)
    assert response.status_code == 400
    response = web.post(f"/cases/{case.id}/decision", {
        "decision-body": "KS", "decision-decided_on": date.today().isoformat(), "decision-reference": "§ 5"},
        token_from=page)
    assert response.status_code == 409 and "inte avslutade" in response.get_data(as_text=True)
    response = web.post(f"/cases/{case.id}/decision", {
        "decision-body": "KS", "decision-decided_on": date.today().isoformat(), "decision-reference": "§ 5",
        "decision-override_reason": "Brådskande av budgetskäl"}, token_from=page)
    assert response.status_code == 302
    auditor = factory.user("auditor")
    switch(web, auditor, factory.password)
    html = web.client.get(page).get_data(as_text=True)
    assert "Avsteg" in html and "Brådskande av budgetskäl" in html
    assert case.diary_number in web.client.get("/cases?non_compliance=y").get_data(as_text=True)


def test_profiles_admin_page(factory, web):
    admin = factory.user("admin")
    web.login(admin.email, factory.password)
    html = web.client.get("/admin/profiles").get_data(as_text=True)
    # Each profile by name, each setting in words with its unit; no settings keys, no server path.
    assert "Finland, kommun (KYNK, lag 449/2007)" in html and "Sverige, MBL 11 § med samverkansavtal" in html
    assert "Den skriftliga förhandlingsframställan lämnas före första mötet" in html and "5 dagar" in html
    assert "Utvärderingen görs inom" in html and "6 månader" in html
    assert "proposal_lead_days" not in html and "/profiles/" not in html and "se-mbl.json" in html
    assert "<code>se-mbl</code>" not in html
    hr = factory.user("hr_officer")
    switch(web, hr, factory.password)
    assert web.client.get("/admin/profiles").status_code == 403


def _fill(factory, hr, n):
    cases = []
    for i in range(n):
        case = factory.case(hr, units=[f"Enhet {i}"])
        cases.append(case)
    return cases


def test_case_list_and_dashboard_constant_queries(factory, web, count_queries):
    hr = factory.user("hr_officer")
    _fill(factory, hr, 1)
    web.login(hr.email, factory.password)
    web.client.get("/cases")
    with count_queries() as small:
        assert web.client.get("/cases").status_code == 200
    with count_queries() as small_home:
        web.client.get("/home")
    _fill(factory, hr, 24)
    with count_queries() as large:
        assert web.client.get("/cases").status_code == 200
    with count_queries() as large_home:
        web.client.get("/home")
    assert len(large) == len(small)
    assert len(large_home) == len(small_home)
    # The to-do list and the dashboard look at the same cases: the cases, their stage rounds and
    # their central-negotiation requests are read once for both.
    for table in ("cases", "stage_records", "central_negotiation_requests"):
        reads = [s for s in large_home if s.lstrip().startswith(f"SELECT {table}.")]
        assert len(reads) == 1, (table, reads)


def test_case_page_constant_queries(factory, web, count_queries):
    def build(n):
        case = factory.case(profile="se-mbl")
        hr = case.responsible_hr
        union, safety = staff(factory, case)
        complete_early_information(case, hr)
        for i in range(n):
            ps.add_position(union, case, "grounds", f"Ståndpunkt {i}")
            ps.update_stage(hr, case, "grounds", reasons=f"Skäl {i}")
        db.session.commit()
        # the same shape at both sizes, with frozen rounds: only the number of rows differs
        ps.update_stage(hr, case, "grounds", reasons="Klart")
        ps.complete_stage(hr, case, "grounds")
        for i in range(n):
            ps.reopen_stage(hr, case, "grounds", f"Ändrad plan {i}")
            ps.complete_stage(hr, case, "grounds")
        ps.reopen_stage(hr, case, "early_information", "Ändrad plan igen")
        db.session.commit()
        return case

    one = build(1)
    many = build(50)
    web.login(one.responsible_hr.email, factory.password)
    web.client.get(f"/cases/{one.id}")
    with count_queries() as small:
        assert web.client.get(f"/cases/{one.id}").status_code == 200
    switch(web, many.responsible_hr, factory.password)
    web.client.get(f"/cases/{many.id}")
    with count_queries() as large:
        assert web.client.get(f"/cases/{many.id}").status_code == 200
    assert len(large) == len(small), "\n".join(sorted(set(large) ^ set(small)))
