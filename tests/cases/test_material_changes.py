"""Item 11 of issue 14: changing a closed case's material facts (affected posts, units, kind of
change) shows a warning with a one-step "reopen at early information"; the change and the choice
are audited (AD 2014 nr 71)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.audit.models import AuditEvent
from tracker.cases import services as cs
from tracker.cases.models import MaterialChange
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.procedure.queries import current_records
from tracker.procedure.stages import Stage


def _closed_case(factory, **fields):
    case = factory.case(profile="fi-municipal", staff_affected=8, units=["Skola A"], **fields)
    hr = case.responsible_hr
    _union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    db.session.commit()
    assert current_records(case)[Stage.CLOSING].status == "completed"
    return case


def _actions(case) -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).where(AuditEvent.case_id == case.id)
                                   .order_by(AuditEvent.seq)).scalars())


@pytest.mark.parametrize("changes", [{"staff_affected": 12}, {"units": ["Skola A", "Skola B"]},
                                     {"change_kind": "outsourcing"}])
def test_a_material_change_after_closing_opens_a_warning_and_is_audited(factory, changes):
    case = _closed_case(factory)
    cs.update_case(case.responsible_hr, case, **changes)
    db.session.commit()
    (row,) = db.session.execute(select(MaterialChange).where(MaterialChange.case_id == case.id)).scalars().all()
    assert row.is_open and set(row.changes) == set(changes)
    assert _actions(case)[-2:] == ["case.updated", "case.material_change_after_closing"]


def test_no_warning_before_closing_or_for_other_fields(factory):
    case = factory.case(profile="fi-municipal", staff_affected=8)
    cs.update_case(case.responsible_hr, case, staff_affected=12)
    closed = _closed_case(factory)
    cs.update_case(closed.responsible_hr, closed, title="Ny rubrik", description="Mer text")
    db.session.commit()
    assert db.session.execute(select(MaterialChange)).scalars().all() == []


def test_reopen_is_one_step_and_starts_a_new_round_at_early_information(factory):
    case = _closed_case(factory)
    hr = case.responsible_hr
    cs.update_case(hr, case, staff_affected=12)
    row = db.session.execute(select(MaterialChange)).scalar_one()
    cs.resolve_material_change(hr, case, row.id, reopen=True)
    db.session.commit()
    records = current_records(case)
    assert records[Stage.EARLY_INFORMATION].round == 2 and records[Stage.EARLY_INFORMATION].status == "active"
    assert case.current_stage == Stage.EARLY_INFORMATION
    reason = db.session.execute(select(AuditEvent.payload).where(AuditEvent.action == "stage.reopened")
                                ).scalar_one()["reason"]
    assert "berörda anställda" in reason and "staff_affected" not in reason
    assert row.resolution == "reopened" and row.resolved_by_id == hr.id
    assert _actions(case)[-2:] == ["stage.reopened", "case.material_change_resolved"]
    with pytest.raises(Conflict):
        cs.resolve_material_change(hr, case, row.id, reopen=False, note="Ändrat mig nu")


def test_keeping_the_closing_needs_a_reason(factory):
    case = _closed_case(factory)
    hr = case.responsible_hr
    cs.update_case(hr, case, staff_affected=12)
    row = db.session.execute(select(MaterialChange)).scalar_one()
    with pytest.raises(ValidationFailed) as info:
        cs.resolve_material_change(hr, case, row.id, reopen=False, note="kort")
    assert info.value.details["field"] == "note"
    with pytest.raises(ValidationFailed):
        cs.resolve_material_change(hr, case, row.id, reopen=False, note="x" * 2001)
    cs.resolve_material_change(hr, case, row.id, reopen=False, note="Två tjänster tillkom efter pensioneringar")
    db.session.commit()
    assert row.resolution == "kept" and current_records(case)[Stage.EARLY_INFORMATION].round == 1
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "case.material_change_resolved")
                               ).scalar_one()
    assert event.payload == {"choice": "kept", "note": "Två tjänster tillkom efter pensioneringar"}


def test_only_the_cases_hr_chooses(factory):
    case = _closed_case(factory)
    cs.update_case(case.responsible_hr, case, staff_affected=12)
    row = db.session.execute(select(MaterialChange)).scalar_one()
    member = factory.user("union_rep")
    factory.member(case, member, "personnel")
    with pytest.raises(PermissionDenied):
        cs.resolve_material_change(member, case, row.id, reopen=True)
    with pytest.raises(NotFound):
        cs.resolve_material_change(factory.user("hr_officer"), case, row.id, reopen=True)
    with pytest.raises(NotFound):
        cs.resolve_material_change(case.responsible_hr, case, row.id + 999, reopen=True)
    assert row.is_open


def _edit_data(case, **overrides) -> dict:
    data = {"title": case.title, "description": case.description, "change_kind": str(case.change_kind),
            "staff_affected": str(case.staff_affected), "units": list(case.unit_names),
            "planned_decision_date": "", "decision_body": case.decision_body}
    data.update(overrides)
    return data


def test_the_edit_page_leads_to_the_warning_and_the_reopen_button_works(factory, web):
    case = _closed_case(factory)
    hr = case.responsible_hr
    web.login(hr.email, factory.password)
    edit = f"/cases/{case.id}/edit"
    response = web.post(edit, _edit_data(case, staff_affected="12"), token_from=edit)
    assert response.status_code == 302 and response.headers["Location"].endswith("#material-changes")
    page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="material-changes"' in page and "8 → 12" in page and "berörda anställda" in page
    assert "Återuppta vid tidig information" in page and "staff_affected" not in page
    row = db.session.execute(select(MaterialChange)).scalar_one()
    response = web.post(f"/cases/{case.id}/material-changes/{row.id}/keep", {f"material-{row.id}-note": "nej"},
                        token_from=f"/cases/{case.id}")
    assert response.status_code == 400 and f"material-{row.id}-note-error" in response.get_data(as_text=True)
    db.session.expire_all()
    assert row.is_open
    response = web.post(f"/cases/{case.id}/material-changes/{row.id}/reopen", {}, token_from=f"/cases/{case.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert row.resolution == "reopened" and current_records(case)[Stage.EARLY_INFORMATION].round == 2
    assert 'id="material-changes"' not in web.client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_material_routes_refuse_without_csrf_unknown_choices_and_foreign_cases(factory, web):
    case = _closed_case(factory)
    cs.update_case(case.responsible_hr, case, staff_affected=12)
    row = db.session.execute(select(MaterialChange)).scalar_one()
    other = factory.user("hr_officer")
    db.session.commit()
    web.login(case.responsible_hr.email, factory.password)
    base = f"/cases/{case.id}/material-changes/{row.id}"
    assert web.client.post(f"{base}/reopen", data={}).status_code == 400
    assert web.post(f"{base}/delete", {}, token_from=f"/cases/{case.id}").status_code == 404
    assert web.post(f"/cases/{case.id}/material-changes/{row.id + 99}/reopen", {},
                    token_from=f"/cases/{case.id}").status_code == 404
    web.client.post("/logout", data={"csrf_token": web.token(f"/cases/{case.id}")})
    web.login(other.email, factory.password)
    assert web.post(f"{base}/reopen", {}).status_code == 404
    db.session.expire_all()
    assert row.is_open


def test_the_edit_page_warns_before_saving_once_the_negotiation_is_closed(factory, web):
    open_case = factory.case(profile="fi-municipal")
    closed = _closed_case(factory, hr=open_case.responsible_hr)
    web.login(open_case.responsible_hr.email, factory.password)
    assert 'id="material-warning"' not in web.client.get(f"/cases/{open_case.id}/edit").get_data(as_text=True)
    assert 'id="material-warning"' in web.client.get(f"/cases/{closed.id}/edit").get_data(as_text=True)
