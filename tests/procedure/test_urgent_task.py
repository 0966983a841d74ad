"""Item 6 of issue 14: an urgent decision (synnerliga skäl) opens the mandatory negotiation as a
task with a deadline from the profile (`urgent_negotiation_days`, default 14), notifies both
parties, shows on the case and on the dashboards of HR and the union, and archiving stays refused
until the negotiation is held and closed."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.procedure.clock import Clock
from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.audit.models import AuditEvent
from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.notifications.models import Notification, NotificationKind
from tracker.procedure import services as ps
from tracker.procedure.blocks import URGENT_NEGOTIATION, blocks, next_action
from tracker.procedure.decision_panel import case_urgent_task, urgent_tasks_for
from tracker.procedure.profiles import ProfileError, get_profile, profile_schema, validate_profile
from tracker.procedure.urgent import urgent_task
from tracker.steering.models import Party


def test_the_setting_is_in_the_schema_and_both_profiles_with_14_days(app):
    rule = profile_schema()["properties"]["settings"]["properties"]["urgent_negotiation_days"]
    assert rule["default"] == 14 and rule["minimum"] == 1
    assert get_profile("se-mbl").settings.urgent_negotiation_days == 14
    assert get_profile("fi-municipal").settings.urgent_negotiation_days == 14
    assert validate_profile({"code": "own", "version": "1"}).settings.urgent_negotiation_days == 14
    custom = validate_profile({"code": "own", "version": "1", "settings": {"urgent_negotiation_days": 21}})
    assert custom.settings.urgent_negotiation_days == 21


@pytest.mark.parametrize("value", [0, -3, "14", 2.5, True])
def test_bad_setting_values_are_refused_by_name(app, value):
    with pytest.raises(ProfileError, match="urgent_negotiation_days"):
        validate_profile({"code": "own", "version": "1", "settings": {"urgent_negotiation_days": value}})


def test_the_pure_task():
    settings = {"urgent_negotiation_days": 10}
    assert urgent_task(None, settings, closing_completed=False, today=date(2027, 1, 1)) is None
    task = urgent_task(date(2027, 1, 1), settings, closing_completed=False, today=date(2027, 1, 11))
    assert task is not None and task.due == date(2027, 1, 11) and task.open and not task.overdue
    late = urgent_task(date(2027, 1, 1), settings, closing_completed=False, today=date(2027, 1, 12))
    assert late is not None and late.overdue
    done = urgent_task(date(2027, 1, 1), settings, closing_completed=True, today=date(2027, 3, 1))
    assert done is not None and done.done and not done.overdue


def _urgent_case(factory):
    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union, safety = staff(factory, case)
    return case, dm, union, safety


def test_recording_opens_the_task_audits_its_deadline_and_notifies_both_parties(factory):
    case, dm, union, safety = _urgent_case(factory)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    db.session.commit()
    due = ps.today() + timedelta(days=14)
    task = case_urgent_task(case)
    assert task is not None and task.due == due and task.open
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "urgent_decision.recorded")).scalar_one()
    assert event.payload["negotiation_due"] == due.isoformat()
    notified = db.session.execute(select(Notification.user_id, Notification.params).where(
        Notification.kind == NotificationKind.URGENT_NEGOTIATION)).all()
    ids = {user_id for user_id, _params in notified}
    # Both parties: the responsible HR officer (employer) and the personnel side; not the actor.
    assert ids == {case.responsible_hr_id, union.id, safety.id}
    assert all(params["due"] == due.isoformat() for _id, params in notified)  # code + parameters, not text


def test_the_task_shows_on_the_case_and_on_the_dashboards_of_hr_and_the_union(factory, web):
    case, dm, union, _safety = _urgent_case(factory)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    db.session.commit()
    due = (ps.today() + timedelta(days=14)).isoformat()
    for user in (case.responsible_hr, union):
        web.login(user.email, factory.password)
        page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert 'id="urgent-negotiation"' in page and f'datetime="{due}"' in page
        home = web.client.get("/home").get_data(as_text=True)
        block = home[home.index('id="dash-blocks"'):home.index('id="dash-overdue"')]
        assert case.diary_number in block and "Obligatorisk förhandling efter brådskande beslut" in block
        assert f'datetime="{due}"' in block and "Kan hävas av:" in block
        web.client.post("/logout", data={"csrf_token": web.token("/home")})


def test_archiving_is_refused_until_the_negotiation_is_held_and_closed(factory):
    case, dm, _union, safety = _urgent_case(factory)
    hr = case.responsible_hr
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    ps.register_decision(dm, case, body="Förvaltningschef", decided_on=date.today(), reference="§ 9")
    db.session.commit()
    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    with pytest.raises(GateClosed) as info:
        ps.archive_case(hr, case)
    assert any("brådskande" in reason for reason in info.value.reasons)
    assert case_urgent_task(case).open
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    db.session.commit()
    task = case_urgent_task(case)
    assert task is not None and task.done
    assert urgent_tasks_for([case])[case.id].done


def test_an_overdue_task_is_flagged_and_comes_first(factory, monkeypatch):
    clock = Clock(monkeypatch)
    case, dm, _union, _safety = _urgent_case(factory)
    past = datetime.now(UTC) - timedelta(days=20)
    clock.set(past)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    clock.set(datetime.now(UTC))
    db.session.commit()
    task = case_urgent_task(case)
    assert task is not None and task.overdue
    facts = ps.facts_for(case)
    found = blocks(facts, ps.today(), task)
    assert [b.code for b in found] == [URGENT_NEGOTIATION] and found[0].overdue
    action = next_action(ps.deadlines_for(case), found, ps.today())
    assert action is not None and action.block is found[0]
