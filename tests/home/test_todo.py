"""The to-do list: each role's main task appears, links to its action, and disappears when done
or superseded; a fixed number of queries whatever the number of cases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.meetings.helpers import meeting, signed_case
from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.discussion import services as ds
from tracker.extensions import db
from tracker.home.queries import todo_for
from tracker.meetings import services as meetings
from tracker.risk import services as rs
from tracker.steering.models import Party
from tracker.tasks import TaskKind


def kinds(user) -> list[str]:
    return [t.kind for t in todo_for(user).tasks]


def login(web, user, factory):
    web.client = web.client.application.test_client()
    assert web.login(user.email, factory.password).status_code == 302


def _submitted(s, title="Förhandlingsmöte"):
    m = meeting(s, title=title)
    meetings.save_minutes(s.hr, m, "Protokoll")
    minutes = meetings.minutes_of(m)
    meetings.submit_minutes(s.hr, minutes)
    db.session.flush()
    return m, minutes


def test_minutes_approval_until_approved(app, factory):
    s = signed_case(factory)
    assert TaskKind.APPROVE_MINUTES not in kinds(s.union_signatory)
    m, minutes = _submitted(s, "Avslutande förhandling")
    [task] = [t for t in todo_for(s.union_signatory).tasks if t.kind == TaskKind.APPROVE_MINUTES]
    assert task.url == f"/meetings/{m.id}#minutes" and task.params == {"meeting": "Avslutande förhandling", "n": 1}
    assert task.key == f"minutes:{minutes.current_version_id}"
    assert TaskKind.APPROVE_MINUTES in kinds(s.employer_signatory)
    assert TaskKind.APPROVE_MINUTES not in kinds(s.member)  # not a signatory
    meetings.approve_minutes(s.union_signatory, minutes.current_version, password=factory.password)
    assert TaskKind.APPROVE_MINUTES not in kinds(s.union_signatory)
    assert TaskKind.APPROVE_MINUTES in kinds(s.employer_signatory)  # still needed from him


def test_minutes_approval_superseded_by_new_version(app, factory):
    s = signed_case(factory)
    m, minutes = _submitted(s)
    meetings.save_minutes(s.hr, m, "Protokoll, rättat")
    assert TaskKind.APPROVE_MINUTES not in kinds(s.union_signatory)  # the new version is not sent yet
    meetings.submit_minutes(s.hr, minutes)
    [task] = [t for t in todo_for(s.union_signatory).tasks if t.kind == TaskKind.APPROVE_MINUTES]
    assert task.params["n"] == 2


def test_refused_minutes_wait_for_hr_until_new_version(app, factory):
    s = signed_case(factory)
    m, minutes = _submitted(s)
    meetings.refuse_minutes(s.union_signatory, minutes.current_version, password=factory.password,
                            objection="Punkt 3 stämmer inte")
    assert TaskKind.REVISE_MINUTES in kinds(s.hr)
    meetings.save_minutes(s.hr, m, "Protokoll med punkt 3 rättad")
    assert TaskKind.REVISE_MINUTES not in kinds(s.hr)


def test_counter_proposal_waits_for_hr_until_answered_or_withdrawn(app, factory):
    case = factory.case()
    union, _safety = staff(factory, case)
    proposal = ds.submit_counter_proposal(union, case, title="Behåll köket", body="Behåll köket i egen regi")
    [task] = [t for t in todo_for(case.responsible_hr).tasks if t.kind == TaskKind.ANSWER_COUNTER_PROPOSAL]
    assert task.url == f"/cases/{case.id}/stages/alternatives/discussion#counter-proposal-{proposal.id}"
    assert TaskKind.ANSWER_COUNTER_PROPOSAL not in kinds(union)
    ds.answer_counter_proposal(case.responsible_hr, proposal, "Vi har prövat det men kostnaden är för hög")
    assert TaskKind.ANSWER_COUNTER_PROPOSAL not in kinds(case.responsible_hr)
    other = ds.submit_counter_proposal(union, case, title="Annat", body="Ett annat förslag")
    assert TaskKind.ANSWER_COUNTER_PROPOSAL in kinds(case.responsible_hr)
    ds.withdraw_counter_proposal(union, other)
    assert TaskKind.ANSWER_COUNTER_PROPOSAL not in kinds(case.responsible_hr)


def test_risk_cosignature_waits_for_safety_rep(app, factory):
    case = factory.case()
    union, safety = staff(factory, case)
    assessment = rs.create_assessment(case.responsible_hr, case, summary="Analys gjord")
    [task] = [t for t in todo_for(safety).tasks if t.kind == TaskKind.COSIGN_RISK]
    assert task.url == f"/cases/{case.id}/risk#cosign"
    assert TaskKind.COSIGN_RISK not in kinds(union)  # not a safety representative
    rs.cosign(safety, assessment, password=factory.password)
    assert TaskKind.COSIGN_RISK not in kinds(safety)


def test_waived_assessment_leaves_the_list(app, factory):
    case = factory.case()
    _union, safety = staff(factory, case)
    assessment = rs.create_assessment(case.responsible_hr, case, summary="Analys gjord")
    rs.waive(case.responsible_hr, assessment, "Skyddsombudet är sjukskrivet")
    assert TaskKind.COSIGN_RISK not in kinds(safety)


def _closed_in_disagreement(factory):
    case = factory.case(profile="se-mbl")
    union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password,
            end_mode="disagreement")
    db.session.flush()
    return case, union, dm


def test_central_window_for_union_and_decision_after(app, factory):
    from tracker.procedure import services as ps

    case, union, dm = _closed_in_disagreement(factory)
    [task] = [t for t in todo_for(union).tasks if t.kind == TaskKind.REQUEST_CENTRAL_NEGOTIATION]
    assert task.due is not None and task.url == f"/cases/{case.id}/stages/closing#stage-actions"
    # no separate "last day" deadline line for the same window
    assert not [t for t in todo_for(union).tasks if t.kind == TaskKind.DEADLINE
                and t.params["deadline"] == "central_negotiation_window"]
    assert TaskKind.REGISTER_DECISION not in kinds(dm)  # locked while the window is open
    request = ps.request_central_negotiation(union, case)
    db.session.flush()
    assert TaskKind.REQUEST_CENTRAL_NEGOTIATION not in kinds(union)
    [end] = [t for t in todo_for(case.responsible_hr).tasks if t.kind == TaskKind.END_CENTRAL_NEGOTIATION]
    assert end.key == f"central:{request.id}"
    ps.end_central_negotiation(case.responsible_hr, case, request.id, outcome="Ingen enighet centralt")
    db.session.flush()
    assert TaskKind.END_CENTRAL_NEGOTIATION not in kinds(case.responsible_hr)
    [decide] = [t for t in todo_for(dm).tasks if t.kind == TaskKind.REGISTER_DECISION]
    assert decide.url == f"/cases/{case.id}/stages/decision#stage-actions"
    ps.register_decision(dm, case, body="KS", decided_on=datetime.now(UTC).date(), reference="§ 1")
    assert TaskKind.REGISTER_DECISION not in kinds(dm)


def test_deadline_this_week(app, factory):
    from tracker.procedure import services as ps

    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    ps.register_decision(dm, case, body="KS", decided_on=(datetime.now(UTC) - timedelta(days=190)).date(),
                         reference="§ 1", override_reason="Brådskande av budgetskäl")
    db.session.flush()
    [task] = [t for t in todo_for(case.responsible_hr).tasks if t.kind == TaskKind.DEADLINE]
    assert task.params == {"deadline": "evaluation_due", "overdue": True}


def test_constant_number_of_queries(app, factory, count_queries):
    s = signed_case(factory)
    _submitted(s)
    counts = []
    for _n in range(2):
        db.session.expire_all()
        with count_queries() as statements:
            todo_for(s.union_signatory)
        counts.append(len(statements))
        # more cases, meetings and minutes waiting for the same person
        other = factory.case(hr=s.hr)
        factory.member(other, s.union_signatory, Party.PERSONNEL, role="signatory")
        factory.member(other, s.employer_signatory, Party.EMPLOYER, role="signatory")
        s2 = type(s)(other, s.hr, s.employer_signatory, s.union_signatory, s.secretary, s.member, s.outsider)
        _submitted(s2)
        _submitted(s2, "Andra mötet")
    db.session.expire_all()
    with count_queries() as statements:
        todo = todo_for(s.union_signatory)
    assert len([t for t in todo.tasks if t.kind == TaskKind.APPROVE_MINUTES]) == 5
    assert len(statements) == counts[0] == counts[1], statements


def test_home_page_lists_tasks_with_links(app, web, factory):
    s = signed_case(factory)
    m, _minutes = _submitted(s, "Avslutande förhandling")
    login(web, s.union_signatory, factory)
    html = web.client.get("/home").get_data(as_text=True)
    assert 'href="#todo"' in html and 'id="todo"' in html
    assert f'href="/meetings/{m.id}#minutes"' in html
    assert "Justera protokollet från mötet Avslutande förhandling (version 1)." in html
    assert html.index('id="todo"') < html.index('class="card role-intro"')
    login(web, s.member, factory)
    html = web.client.get("/home").get_data(as_text=True)
    assert "Inget väntar på dig just nu." in html


def test_home_in_english(app, web, factory):
    from tracker.auth.services import set_locale

    s = signed_case(factory)
    _submitted(s, "Avslutande förhandling")
    set_locale(s.union_signatory, "en")
    login(web, s.union_signatory, factory)
    html = web.client.get("/home").get_data(as_text=True)
    assert "To do" in html and "Approve the minutes of the meeting Avslutande förhandling (version 1)." in html


def test_urgent_decision_gives_hr_the_negotiation_until_it_is_held(app, factory):
    from tracker.procedure import services as ps

    case = factory.case(profile="se-mbl")
    _union, safety = staff(factory, case)
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    db.session.flush()
    [task] = [t for t in todo_for(case.responsible_hr).tasks if t.kind == TaskKind.HOLD_URGENT_NEGOTIATION]
    assert task.key == f"urgent:{case.id}" and task.due is not None
    complete_early_information(case, case.responsible_hr)
    walk_to(case, case.responsible_hr, "decision", safety=safety, password=factory.password)
    assert TaskKind.HOLD_URGENT_NEGOTIATION not in kinds(case.responsible_hr)
