"""Item 10 of issue 14: the decision body. HR assigns decision makers to a case (a case role, with
history, audited); they see the case read-only plus the decision stage, without being members.

Visibility and action predicates for every role × relation, in the style of tests/policy_matrix.py,
then the services (with bad input) and the routes (404, CSRF, failed forms)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import policy_matrix as pm
from tracker.audit.models import AuditEvent
from tracker.auth import services as auth_services
from tracker.cases import services as cs
from tracker.cases.models import Case, CaseDecisionMaker
from tracker.cases.policy import can_assign_decision_makers, can_edit_case, can_view_case, visible_cases
from tracker.discussion.policy import can_comment
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.meetings.policy import can_sign_minutes
from tracker.notifications.models import Notification, NotificationKind
from tracker.procedure import policy
from tracker.procedure import services as ps
from tracker.procedure.queries import position_party

RELATIONS = (*pm.RELATIONS, "assigned_dm", "ended_dm", "unassigned_dm", "assigned_without_role")
PREDICATES = ("view", "listed", "register_decision", "override", "urgent", "add_position", "comment",
              "sign_minutes", "edit_case", "edit_stages", "assign", "export_statement")


def _world(factory):
    world = pm.build(factory)
    hr = world.users["hr_responsible"]
    assigned = factory.user("decision_maker")
    ended = factory.user("decision_maker")
    lost_role = factory.user("decision_maker")
    cs.assign_decision_maker(hr, world.case, assigned)
    row = cs.assign_decision_maker(hr, world.case, ended)
    cs.end_decision_maker(hr, world.case, row.id, "Byte av nämnd")
    cs.assign_decision_maker(hr, world.case, lost_role)
    # The role taken away after the assignment: the assignment alone grants nothing.
    auth_services.set_roles(None, lost_role, ["union_rep"])
    db.session.flush()
    world.users.update(assigned_dm=assigned, ended_dm=ended, unassigned_dm=factory.user("decision_maker"),
                       assigned_without_role=lost_role)
    return world


def _answers(user, case) -> dict[str, bool]:
    party = position_party(user, case)
    listed = db.session.execute(visible_cases(user).with_only_columns(Case.id)).scalars().all()
    return {
        "view": can_view_case(user, case),
        "listed": case.id in listed,
        "register_decision": policy.can_register_decision(user, case),
        "override": policy.can_override(user, case),
        "urgent": policy.can_record_urgent_decision(user, case),
        "add_position": policy.can_add_position(user, case, party=party),
        "comment": can_comment(user, case),
        "sign_minutes": can_sign_minutes(user, case),
        "edit_case": can_edit_case(user, case),
        "edit_stages": policy.can_edit_stages(user, case),
        "assign": can_assign_decision_makers(user, case),
        "export_statement": policy.can_export_statement(user, case),
    }


def _row(*allowed: str) -> dict[str, bool]:
    unknown = set(allowed) - set(PREDICATES)
    assert not unknown, unknown
    return {name: name in allowed for name in PREDICATES}


HR = ("view", "listed", "urgent", "add_position", "comment", "sign_minutes", "edit_case", "edit_stages", "assign",
      "export_statement")
DECIDER = ("view", "listed", "register_decision", "override", "urgent", "export_statement")
EXPECTED = {
    "hr_responsible": _row(*(p for p in HR if p != "sign_minutes")),
    "hr_member": _row(*HR),
    "union_member": _row("view", "listed", "add_position", "comment", "sign_minutes"),
    "safety_member": _row("view", "listed", "add_position", "comment"),
    # A decision maker in the steering group (secretary) keeps what membership gives.
    "decision_maker": _row(*DECIDER, "add_position", "comment"),
    "auditor": _row("view", "listed", "export_statement"),
    "admin": _row(),
    "outsider": _row(),
    # Assigned by HR, not a member: the case read-only plus the decision stage.
    "assigned_dm": _row(*DECIDER),
    "ended_dm": _row(),
    "unassigned_dm": _row(),
    "assigned_without_role": _row(),
}


@pytest.mark.parametrize("relation", RELATIONS)
def test_visibility_and_action_matrix(factory, relation):
    world = _world(factory)
    assert _answers(world.users[relation], world.case) == EXPECTED[relation]


@pytest.mark.parametrize("relation", ["assigned_dm", "hr_responsible", "decision_maker"])
def test_archived_case_stays_visible_but_permits_nothing(factory, relation):
    world = _world(factory)
    world.archive()
    answers = _answers(world.users[relation], world.case)
    assert answers["view"] and answers["listed"]
    assert not any(answers[p] for p in ("register_decision", "override", "urgent", "edit_case", "assign"))


def test_assignment_is_audited_kept_in_history_and_notified(factory):
    case = factory.case()
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    row = cs.assign_decision_maker(hr, case, dm)
    cs.end_decision_maker(hr, case, row.id, "Ny beslutsordning")
    again = cs.assign_decision_maker(hr, case, dm)
    db.session.commit()
    rows = db.session.execute(select(CaseDecisionMaker).where(CaseDecisionMaker.case_id == case.id)
                              .order_by(CaseDecisionMaker.id)).scalars().all()
    assert [(r.user_id, r.ended_at is None) for r in rows] == [(dm.id, False), (dm.id, True)]
    assert rows[0].end_reason == "Ny beslutsordning" and rows[0].ended_by_id == hr.id and again.id == rows[1].id
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.case_id == case.id)
                                 .order_by(AuditEvent.seq)).scalars().all()
    assert actions[-3:] == ["case.decision_maker_assigned", "case.decision_maker_ended",
                            "case.decision_maker_assigned"]
    kinds = db.session.execute(select(Notification.kind).where(Notification.user_id == dm.id)).scalars().all()
    assert kinds.count(NotificationKind.DECISION_MAKER_ASSIGNED) == 2


def test_bad_assignments_are_refused_and_change_nothing(factory):
    case = factory.case()
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    union = factory.user("union_rep")
    with pytest.raises(ValidationFailed) as info:
        cs.assign_decision_maker(hr, case, union)
    assert info.value.details["field"] == "user_id"
    with pytest.raises(ValidationFailed):
        cs.assign_decision_maker(hr, case, None)
    dm.active = False
    with pytest.raises(ValidationFailed):
        cs.assign_decision_maker(hr, case, dm)
    dm.active = True
    with pytest.raises(NotFound):  # another HR officer cannot see the case: never revealed
        cs.assign_decision_maker(factory.user("hr_officer"), case, dm)
    member_union = factory.user("union_rep")
    factory.member(case, member_union, "personnel")
    with pytest.raises(PermissionDenied):
        cs.assign_decision_maker(member_union, case, dm)
    row = cs.assign_decision_maker(hr, case, dm)
    with pytest.raises(Conflict):
        cs.assign_decision_maker(hr, case, dm)
    with pytest.raises(ValidationFailed):
        cs.end_decision_maker(hr, case, row.id, "   ")
    with pytest.raises(NotFound):
        cs.end_decision_maker(hr, case, row.id + 999, "Skäl")
    other = factory.case(hr=hr)
    with pytest.raises(NotFound):  # an assignment of another case
        cs.end_decision_maker(hr, other, row.id, "Skäl")
    cs.end_decision_maker(hr, case, row.id, "Skäl")
    with pytest.raises(Conflict):
        cs.end_decision_maker(hr, case, row.id, "Skäl igen")
    assert db.session.execute(select(CaseDecisionMaker).where(CaseDecisionMaker.case_id == case.id)).scalars() \
        .all() == [row]


def test_assigned_decision_maker_registers_the_decision_without_membership(factory):
    from tests.procedure.helpers import complete_early_information, staff, walk_to

    case = factory.case(profile="fi-municipal")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    _union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    with pytest.raises(NotFound):
        ps.register_decision(dm, case, body="Nämnden", decided_on=date.today(), reference="§ 1")
    cs.assign_decision_maker(hr, case, dm)
    rec = ps.register_decision(dm, case, body="Nämnden", decided_on=date.today(), reference="§ 1")
    db.session.commit()
    assert rec.completed_by_id == dm.id and case.status == "decided"


# --- routes ---------------------------------------------------------------------------------

def _logout(web, page):
    web.client.post("/logout", data={"csrf_token": web.token(page)})


def test_assigned_decision_maker_sees_the_case_pages_and_the_others_get_404(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    stranger = factory.user("decision_maker")
    row = cs.assign_decision_maker(hr, case, dm)
    db.session.commit()
    urls = [f"/cases/{case.id}", f"/cases/{case.id}/steering", f"/cases/{case.id}/meetings",
            f"/cases/{case.id}/documents", f"/cases/{case.id}/audit"]
    web.login(dm.email, factory.password)
    for url in urls:
        assert web.client.get(url).status_code == 200, url
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="decision-body"' in html and dm.name in html
    assert "/decision-makers" not in html  # no assignment form for a decision maker
    assert case.diary_number in web.client.get("/cases").get_data(as_text=True)
    _logout(web, f"/cases/{case.id}")
    web.login(stranger.email, factory.password)
    for url in urls:
        assert web.client.get(url).status_code == 404, url
    assert case.diary_number not in web.client.get("/cases").get_data(as_text=True)
    _logout(web, "/cases")
    cs.end_decision_maker(hr, case, row.id, "Uppdraget slut")
    db.session.commit()
    web.login(dm.email, factory.password)
    assert web.client.get(f"/cases/{case.id}").status_code == 404


def test_hr_assigns_and_ends_through_the_case_page(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    dm = factory.user("decision_maker", name="Beslutsfattare Berg")
    db.session.commit()
    page = f"/cases/{case.id}"
    web.login(hr.email, factory.password)
    html = web.client.get(page).get_data(as_text=True)
    assert "Beslutsfattare Berg" in html and f'action="/cases/{case.id}/decision-makers"' in html
    response = web.post(f"/cases/{case.id}/decision-makers", {"assign_dm-user_id": str(dm.id)}, token_from=page)
    assert response.status_code == 302
    row = db.session.execute(select(CaseDecisionMaker).where(CaseDecisionMaker.case_id == case.id)).scalar_one()
    response = web.post(f"/cases/{case.id}/decision-makers/{row.id}/end", {f"end_dm-{row.id}-reason": ""},
                        token_from=page)
    assert response.status_code == 400 and f"end_dm-{row.id}-reason-error" in response.get_data(as_text=True)
    response = web.post(f"/cases/{case.id}/decision-makers/{row.id}/end",
                        {f"end_dm-{row.id}-reason": "Nämnden byttes"}, token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert row.ended_at is not None and row.end_reason == "Nämnden byttes"


@pytest.mark.parametrize("value", ["", "abc", "99999999", "-1", "1" * 40])
def test_bad_user_ids_are_400_and_assign_nobody(factory, web, value):
    case = factory.case()
    factory.user("union_rep")
    db.session.commit()
    web.login(case.responsible_hr.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/decision-makers", {"assign_dm-user_id": value}, token_from=page)
    assert response.status_code == 400
    assert db.session.execute(select(CaseDecisionMaker)).scalars().all() == []


def test_assignment_without_csrf_is_400_and_foreign_case_is_404(factory, web):
    case = factory.case()
    dm = factory.user("decision_maker")
    other_hr = factory.user("hr_officer")
    db.session.commit()
    web.login(case.responsible_hr.email, factory.password)
    response = web.client.post(f"/cases/{case.id}/decision-makers", data={"assign_dm-user_id": str(dm.id)})
    assert response.status_code == 400
    _logout(web, f"/cases/{case.id}")
    web.login(other_hr.email, factory.password)
    response = web.post(f"/cases/{case.id}/decision-makers", {"assign_dm-user_id": str(dm.id)})
    assert response.status_code == 404
    assert db.session.execute(select(CaseDecisionMaker)).scalars().all() == []
