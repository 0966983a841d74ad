"""The procedure's routes: 404 for what the user may not see, failed forms re-rendered on the case
page with the input kept, nothing persisted on failure."""
from __future__ import annotations

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.extensions import db
from tracker.procedure.queries import current_records
from tracker.procedure.stages import Stage


def test_unknown_stage_and_invisible_case_are_404(factory, web):
    case = factory.case()
    stranger = factory.user("hr_officer")
    web.login(case.responsible_hr.email, factory.password)
    page = f"/cases/{case.id}"
    assert web.post(f"/cases/{case.id}/stages/nonsense/complete", {}, token_from=page).status_code == 404
    assert web.post(f"/cases/{case.id}/stages/decision/content", {}, token_from=page).status_code == 404
    assert web.post(f"/cases/{case.id + 999}/stages/grounds/complete", {}, token_from=page).status_code == 404
    web.client.post("/logout", data={"csrf_token": web.token(page)})
    web.login(stranger.email, factory.password)
    assert web.post(f"/cases/{case.id}/stages/early_information/complete", {}).status_code == 404
    assert web.post(f"/cases/{case.id}/archive", {}).status_code == 404


def test_button_without_csrf_token_is_400_and_changes_nothing(factory, web):
    case = factory.case()
    staff(factory, case)
    web.login(case.responsible_hr.email, factory.password)
    response = web.client.post(f"/cases/{case.id}/stages/early_information/complete", data={})
    assert response.status_code == 400
    assert current_records(case)[Stage.EARLY_INFORMATION].status == "active"


def test_failed_reopen_keeps_the_input_on_the_case_page(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/stages/early_information/reopen",
                        {"reopen-early_information-reason": "kort"}, token_from=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "kort</textarea>" in html and "reopen-early_information-reason-error" in html
    db.session.expire_all()
    assert current_records(case)[Stage.EARLY_INFORMATION].round == 1
    response = web.post(f"/cases/{case.id}/stages/early_information/reopen",
                        {"reopen-early_information-reason": "Planen ändrades väsentligt"}, token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert current_records(case)[Stage.EARLY_INFORMATION].round == 2


def test_refused_end_of_negotiation_shows_the_field_error_and_keeps_the_rest(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    _union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/closing/end", {
        "end-end_mode": "written_notice", "end-ended_at": "2026-01-10T10:00",
        "end-employer_position": "Vår slutliga syn"}, token_from=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ange vilken part som gav skriftligt besked." in html and "Vår slutliga syn</textarea>" in html
    db.session.expire_all()
    assert current_records(case)[Stage.CLOSING].end_mode is None


def test_admin_page_lists_every_setting_of_the_schema(factory, web):
    from markupsafe import escape

    from tracker.procedure.labels import SETTING_LABELS
    from tracker.procedure.profiles import SETTING_NAMES

    assert set(SETTING_LABELS) == set(SETTING_NAMES)  # every setting has its words
    admin = factory.user("admin")
    web.login(admin.email, factory.password)
    html = web.client.get("/admin/profiles").get_data(as_text=True)
    assert all(str(escape(str(SETTING_LABELS[name]))) in html for name in SETTING_NAMES)
    assert not any(f">{name}<" in html for name in SETTING_NAMES)
