"""The employer's unit register: kept by administrators, offered on the case form, audited; a case
keeps the units it named when one is retired."""
import re

import pytest

from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.units import queries, services
from tracker.units.models import OrganisationUnit
from tracker.units.policy import can_manage_units


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_administrators_keep_the_register(factory, role):
    user = factory.user(role)
    assert can_manage_units(user) == (role == "admin")
    if role != "admin":
        with pytest.raises(PermissionDenied):
            services.add_unit(user, "Skolan")
        assert db.session.query(OrganisationUnit).count() == 0


def test_adding_refuses_blank_long_and_taken_names_and_audits_the_rest(factory):
    admin = factory.user("admin")
    unit = services.add_unit(admin, "  Hemtjänst   Norr ")
    assert unit.name == "Hemtjänst Norr"
    for bad, message in (("  ", "Ange enhetens namn."), ("x" * 201, "högst 200 tecken"),
                         ("hemtjänst norr", "finns redan")):
        with pytest.raises(ValidationFailed, match=message):
            services.add_unit(admin, bad)
    assert [u.name for u in queries.all_units()] == ["Hemtjänst Norr"]
    events = db.session.query(AuditEvent).filter(AuditEvent.action.like("unit.%")).all()
    assert [(e.action, e.actor_id) for e in events] == [("unit.added", admin.id)]


def test_a_retired_unit_is_no_longer_offered_but_a_case_keeps_it(factory):
    admin = factory.user("admin")
    kitchen, _ = services.add_unit(admin, "Köket"), services.add_unit(admin, "Städ")
    case = factory.case(units=["Köket"])
    services.set_unit_active(admin, kitchen, False)
    services.set_unit_active(admin, kitchen, False)  # already retired: nothing happens
    assert queries.unit_choices() == ["Städ"]
    assert queries.unit_choices(case.unit_names) == ["Köket", "Städ"]
    assert case.unit_names == ["Köket"]
    services.set_unit_active(admin, kitchen, True)
    assert queries.unit_choices() == ["Köket", "Städ"]
    actions = [e.action for e in db.session.query(AuditEvent).filter(AuditEvent.action.like("unit.%"))
               .order_by(AuditEvent.seq)]
    assert actions == ["unit.added", "unit.added", "unit.retired", "unit.reinstated"]


def test_the_register_page_adds_retires_and_reinstates(factory, web):
    admin = factory.user("admin")
    web.login(admin.email, factory.password)
    page = web.client.get("/admin/units").get_data(as_text=True)
    assert "Inga enheter ännu." in page
    response = web.post("/admin/units", {"name": "Biblioteket"}, token_from="/admin/units")
    assert response.status_code == 302
    page = web.client.get("/admin/units").get_data(as_text=True)
    assert "Enheten Biblioteket är tillagd." in page and "I bruk" in page
    bad = web.post("/admin/units", {"name": "biblioteket"}, token_from="/admin/units")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "finns redan" in html and "<title>Fel: " in html
    assert 'value="biblioteket"' in html  # the input is kept
    unit = db.session.query(OrganisationUnit).one()
    assert web.post(f"/admin/units/{unit.id}/retire", token_from="/admin/units").status_code == 302
    assert "Ur bruk" in web.client.get("/admin/units").get_data(as_text=True)
    assert web.post(f"/admin/units/{unit.id}/reinstate", token_from="/admin/units").status_code == 302
    db.session.refresh(unit)
    assert unit.active
    assert web.post("/admin/units/99999/retire", token_from="/admin/units").status_code == 404
    stale = web.client.post(f"/admin/units/{unit.id}/retire", data={"csrf_token": "stale"})
    assert stale.status_code == 400
    db.session.refresh(unit)
    assert unit.active


@pytest.mark.parametrize("role", ["hr_officer", "union_rep", "auditor", "decision_maker"])
def test_no_one_else_reaches_the_register_page(factory, web, role):
    user = factory.user(role)
    web.login(user.email, factory.password)
    assert web.client.get("/admin/units").status_code in (403, 404)
    assert web.post("/admin/units", {"name": "X"}).status_code in (403, 404)
    assert db.session.query(OrganisationUnit).count() == 0


def test_the_case_form_offers_only_units_in_use_and_refuses_others(factory, web):
    admin = factory.user("admin")
    services.set_unit_active(admin, services.add_unit(admin, "Gamla enheten"), False)
    factory.units("Skolan")
    hr = factory.user("hr_officer")
    web.login(hr.email, factory.password)
    form = web.client.get("/cases/new").get_data(as_text=True)
    assert re.findall(r'name="units"[^>]*value="([^"]+)"', form) == ["Skolan"]
    response = web.post("/cases/new", {"title": "T", "change_kind": "merger", "staff_affected": "1",
                                       "units": ["Gamla enheten"], "profile_code": "se-mbl"}, token_from="/cases/new")
    assert response.status_code == 400 and 'href="#units"' in response.get_data(as_text=True)
    from tracker.cases.models import Case
    assert db.session.query(Case).count() == 0
