"""Item 1 of issue 14 (the rest): earlier rounds keep their own deadlines, frozen as they stood when
the round ended, and the record shows every round's dates (proposal delivery per round) and
deadlines; everything of a frozen round refuses edits; overrides name their round. Table-driven
with one and two reopenings at every stage."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.exports.conftest import pdf_text
from tests.exports.test_services import validate
from tests.procedure.clock import Clock
from tests.procedure.test_rounds import STAGES, at, decide, fi_case, meet, walk_round
from tracker.discussion import services as discussion
from tracker.errors import Conflict
from tracker.exports import services as exports
from tracker.extensions import db
from tracker.meetings import services as ms
from tracker.meetings.models import Meeting
from tracker.procedure import services as ps
from tracker.procedure.rounds import case_round, round_history


def snapshot(case):
    return [(d.code, d.due, d.met, d.status, d.overridden) for d in ps.deadlines_for(case)]


def frozen_view(view):
    return [(d.code, d.due, d.met, d.status, d.overridden) for d in view.deadlines]


def reopen_and_walk(clock, hr, dm, case, stage, month):
    """Reopen `stage` on the 1st of `month`, then walk the new round to the same point again."""
    clock.set(at(month, 1))
    ps.reopen_stage(hr, case, stage, f"Planen ändrades väsentligt ({month})")
    db.session.flush()
    if stage in STAGES:
        if stage == "early_information":
            clock.set(at(month, 2, 9))
            ps.update_stage(hr, case, "early_information", proposal_delivered_at=at(month, 2, 9))
            walk_round(clock, hr, case, ended=at(month, 2, 10), stages=STAGES[:1])
        meet(hr, case, at(month, 8))
        walk_round(clock, hr, case, ended=at(month, 21, 12))
    if stage in ("decision", "evaluation") or ps.current_records(case)["decision"].status == "active":
        decide(dm, case, date(2026, month, 25), clock)
    db.session.flush()


def prepared(clock, factory, last):
    """S1's round 1; decided when the reopened stage is the decision or the evaluation."""
    hr, dm, case = fi_case(factory, clock)
    if last in ("decision", "evaluation"):
        decide(dm, case, date(2026, 3, 21), clock)
    return hr, dm, case


REOPENABLE = ("early_information", "grounds", "effects", "alternatives", "closing", "decision")
PLANS = [(s,) for s in REOPENABLE] + [("grounds", "alternatives"), ("early_information", "closing"),
                                      ("closing", "closing"), ("effects", "decision"), ("decision", "grounds")]


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: "+".join(p))
def test_every_round_keeps_its_deadlines_frozen(factory, monkeypatch, plan):
    clock = Clock(monkeypatch)
    hr, dm, case = prepared(clock, factory, plan[0])
    frozen = []
    month = 6
    for stage in plan:
        clock.set(at(month, 1))
        if stage in ("decision",) and ps.current_records(case)["decision"].status != "completed":
            decide(dm, case, date(2026, month - 1, 28), clock)
            clock.set(at(month, 1))
        frozen.append(snapshot(case))
        reopen_and_walk(clock, hr, dm, case, stage, month)
        month += 3
    history = round_history(case)
    assert [r.number for r in history] == list(range(1, len(plan) + 2)) and case_round(case) == len(plan) + 1
    for view, expected in zip(history, frozen, strict=False):
        assert view.is_frozen and frozen_view(view) == expected, view.number
    assert not history[-1].is_frozen and frozen_view(history[-1]) == snapshot(case)
    assert [r.reopened_stage for r in history[1:]] == list(plan)
    # The proposal delivery of each round is its own.
    assert history[0].proposal_delivered_at == at(3, 2, 9)
    for view, stage in zip(history[1:], plan, strict=True):
        if stage == "early_information":
            assert view.proposal_delivered_at is not None and view.proposal_delivered_at.month == view.began_at.month


def test_the_record_shows_every_round(factory, monkeypatch, tmp_path, web):
    clock = Clock(monkeypatch)
    hr, dm, case = fi_case(factory, clock)
    reopen_and_walk(clock, hr, dm, case, "early_information", 6)
    auditor = factory.user("auditor")
    record = json.loads(exports.export_json(case, auditor).data)
    validate(record)
    rounds = record["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    assert rounds[0]["proposal_delivered_at"].startswith("2026-03-02") and rounds[0]["frozen_at"]
    assert rounds[1]["proposal_delivered_at"].startswith("2026-06-02") and rounds[1]["frozen_at"] is None
    first = {d["code"]: d for d in rounds[0]["deadlines"]}
    assert first["earliest_decision"]["due"] == "2026-03-21"
    assert {d["code"]: d for d in rounds[1]["deadlines"]}["earliest_decision"]["due"] == "2026-06-22"
    text = " ".join(pdf_text(exports.export_pdf(case, auditor).data, tmp_path).split())
    assert "Omgång 1 (fryst" in text and "Omgång 2 (pågår)" in text
    web.login(hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = html.split('id="rounds-heading"')[1].split("</section>")[0]
    assert "Omgång 1" in section and "Omgång 2" in section and "21 mars 2026" in section


@pytest.mark.parametrize("stage", ["early_information", "grounds", "alternatives", "closing"])
def test_a_frozen_rounds_meetings_minutes_and_comments_refuse_edits(factory, monkeypatch, stage):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    old = db.session.query(Meeting).filter_by(case_id=case.id).one()
    ms.save_minutes(hr, old, "§ 1 Omgång 1")
    union = next(m.user for m in case_members(case) if m.party == "personnel" and m.role != "safety_representative")
    comment = discussion.add_comment(union, case, "closing", "Vi är inte överens")
    early_comment = discussion.add_comment(union, case, "early_information", "Informationen kom sent")
    # The comments are written in round 1 (the test clock drives the procedure, not the comments).
    comment.created_at = early_comment.created_at = at(3, 15)
    db.session.flush()
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, stage, "Planen ändrades väsentligt")
    db.session.flush()
    when = old.starts_at
    refusals = [
        lambda: ms.update_meeting(hr, old, title="Nytt namn", starts_at=when, ends_at=old.ends_at, place="Rum 2"),
        lambda: ms.cancel_meeting(hr, old, "Inställt i efterhand"),
        lambda: ms.record_attendance(hr, old, {a.id: True for a in old.attendees}),
        lambda: ms.save_minutes(hr, old, "§ 1 Omskrivet"),
        lambda: ms.submit_minutes(hr, ms.minutes_of(old)),
        lambda: ms.schedule_meeting(hr, case, title="Bakdaterat", starts_at=at(5, 20), ends_at=at(5, 20, 11),
                                    place="Rum 1"),
        lambda: discussion.edit_comment(union, comment, "Ändrad"),
        lambda: discussion.withdraw_comment(union, comment),
    ]
    for refuse in refusals:
        with pytest.raises(Conflict) as info:
            refuse()
        assert "omgång" in info.value.message
    assert old.title == "Neuvottelu" and not old.is_cancelled
    # Not frozen: a stage before the reopened one keeps its comments editable (unless it was reopened).
    if stage != "early_information":
        discussion.edit_comment(union, early_comment, "Informationen kom en vecka sent")
    # The new round's meetings are editable.
    if stage == "early_information":
        clock.set(at(6, 2, 10))
        ps.update_stage(hr, case, "early_information", proposal_delivered_at=at(6, 2, 9))
    new = ms.schedule_meeting(hr, case, title="Omgång 2", starts_at=at(6, 8), ends_at=at(6, 8, 11), place="Rum 1")
    ms.update_meeting(hr, new, title="Omgång 2, möte 1", starts_at=at(6, 8), ends_at=at(6, 8, 11), place="Rum 1")
    # A frozen round's positions stay as they were: new ones go to the current round.
    frozen_positions = {r.id: len(r.positions) for r in ps.all_records(case) if r.superseded_at is not None}
    ps.add_position(hr, case, stage, "Arbetsgivarens nya ståndpunkt")
    db.session.flush()
    for rec in ps.all_records(case):  # plain rows, read anew
        if rec.id in frozen_positions:
            assert len(rec.positions) == frozen_positions[rec.id]


def test_frozen_meeting_edit_through_the_page_is_a_clear_409(factory, monkeypatch, web):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    old = db.session.query(Meeting).filter_by(case_id=case.id).one()
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "grounds", "Planen ändrades väsentligt")
    db.session.commit()
    web.login(hr.email, factory.password)
    local = old.starts_at.astimezone(at(6, 1).tzinfo)
    response = web.post(f"/meetings/{old.id}/edit", {
        "title": "Omdöpt", "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "place": "Rum 2"},
        token_from=f"/meetings/{old.id}/edit")
    assert response.status_code == 409
    assert "tidigare omgång" in response.get_data(as_text=True)
    db.session.refresh(old)
    assert old.title == "Neuvottelu"


def test_overrides_and_non_compliance_name_their_round(factory, monkeypatch, web):
    clock = Clock(monkeypatch)
    hr, dm, case = fi_case(factory, clock)
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "grounds", "Planen ändrades väsentligt")
    meet(hr, case, at(6, 8))
    walk_round(clock, hr, case, ended=at(6, 21, 12))
    clock.set(at(6, 21, 15))
    row = ps.override_deadline(dm, case, "earliest_decision", "Budgeten måste beslutas före midsommar")
    assert row.round == 2
    history = round_history(case)
    assert [o.id for o in history[1].overrides] == [row.id] and not history[0].overrides
    record = json.loads(exports.export_json(case, factory.user("auditor")).data)
    flag = next(f for f in record["non_compliance"] if f["kind"] == "override")
    assert flag["round"] == 2
    db.session.commit()
    web.login(hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    overrides = html.split('class="overrides"')[1].split("</ul>")[0]
    assert "omgång 2" in overrides


def case_members(case):
    from tracker.steering.models import SteeringMember

    return db.session.query(SteeringMember).filter_by(case_id=case.id).all()


def _round_one_proposals(case, members):
    """Two counter-proposals written in round 1 (while the alternatives stage was open)."""
    stage, case.current_stage = case.current_stage, "alternatives"
    union, safety = members
    mine = discussion.submit_counter_proposal(union, case, title="Behåll enheten", body="Vi föreslår ...")
    theirs = discussion.submit_counter_proposal(safety, case, title="Annat schema", body="Skift")
    mine.created_at = theirs.created_at = at(3, 15)
    case.current_stage = stage
    db.session.flush()
    return mine, theirs


def _personnel(case):
    personnel = [m for m in case_members(case) if m.party == "personnel"]
    union = next(m.user for m in personnel if m.role != "safety_representative")
    safety = next(m.user for m in personnel if m.role == "safety_representative")
    return union, safety


@pytest.mark.parametrize("stage", ["early_information", "grounds", "alternatives"])
def test_a_frozen_rounds_counter_proposals_refuse_withdrawal_and_answers(factory, monkeypatch, stage):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    union, safety = _personnel(case)
    mine, theirs = _round_one_proposals(case, (union, safety))
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, stage, "Planen ändrades väsentligt")
    db.session.flush()
    refusals = [
        lambda: discussion.withdraw_counter_proposal(union, mine),
        lambda: discussion.answer_counter_proposal(hr, theirs, "Ett svar som är tillräckligt långt."),
    ]
    for refuse in refusals:
        with pytest.raises(Conflict) as info:
            refuse()
        assert "tidigare omgång" in info.value.message
    assert mine.withdrawn_at is None and theirs.answered_at is None and theirs.answer is None
    # The new round's counter-proposals are answered as usual.
    case.current_stage = "alternatives"
    new = discussion.submit_counter_proposal(union, case, title="Behåll enheten igen", body="Som förut")
    discussion.answer_counter_proposal(hr, new, "Ett svar som är tillräckligt långt.")
    assert new.answered_at is not None


def test_counter_proposals_stay_open_when_the_alternatives_stage_was_not_reopened(factory, monkeypatch):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    union, safety = _personnel(case)
    mine, theirs = _round_one_proposals(case, (union, safety))
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "closing", "Förhandlingen återupptas")
    db.session.flush()
    discussion.withdraw_counter_proposal(union, mine)
    discussion.answer_counter_proposal(hr, theirs, "Ett svar som är tillräckligt långt.")
    assert mine.withdrawn_at is not None and theirs.answered_at is not None


def test_frozen_counter_proposal_answer_through_the_page_is_a_clear_409(factory, monkeypatch, web):
    clock = Clock(monkeypatch)
    hr, _dm, case = fi_case(factory, clock)
    _mine, theirs = _round_one_proposals(case, _personnel(case))
    clock.set(at(6, 1))
    ps.reopen_stage(hr, case, "alternatives", "Planen ändrades väsentligt")
    db.session.commit()
    web.login(hr.email, factory.password)
    response = web.post(f"/counter-proposals/{theirs.id}/answer",
                        {f"answer-{theirs.id}-answer": "Ett svar som är tillräckligt långt."},
                        token_from=f"/cases/{case.id}/stages/alternatives/discussion")
    assert response.status_code == 409
    assert "tidigare omgång" in response.get_data(as_text=True)
    db.session.refresh(theirs)
    assert theirs.answered_at is None


def test_a_frozen_round_shows_a_central_request_as_it_stood_at_the_freeze(factory, monkeypatch):
    """A timely request pending when the round was frozen stays pending in that round's deadlines,
    even after the central negotiation ends in a later round."""
    from tests.procedure.test_central_lock import T0, closing_case, end_and_close

    clock = Clock(monkeypatch)
    hr, union, _dm, case = closing_case(factory, clock)
    end_and_close(clock, hr, case)
    clock.set(T0 + timedelta(days=3))
    request = ps.request_central_negotiation(union, case, requested_at=T0 + timedelta(days=3))
    clock.set(T0 + timedelta(days=5))
    at_freeze = snapshot(case)
    ps.reopen_stage(hr, case, "closing", "Nya uppgifter om bemanningen")
    db.session.flush()
    assert frozen_view(round_history(case)[0]) == at_freeze
    clock.set(T0 + timedelta(days=12))
    ps.end_central_negotiation(hr, case, request.id, outcome="Ingen enighet centralt",
                               ended_at=T0 + timedelta(days=12))
    db.session.flush()
    assert not request.is_pending
    assert frozen_view(round_history(case)[0]) == at_freeze
