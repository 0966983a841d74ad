"""S7 (stage gates, decision, evaluation due and archiving): a large merger with a steering group."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.procedure.helpers import complete_early_information, walk_to
from tracker.cases.models import CaseStatus
from tracker.errors import Conflict, GateClosed
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.queries import reasons_closed
from tracker.steering.models import Party


def _months_back(day: date, months: int) -> date:
    # inverse of add_months for the test (day-of-month within 1..28 keeps it exact)
    return dl.add_months(day.replace(day=min(day.day, 28)), -months)


def test_s7_large_merger_gates_decision_evaluation_archive(factory, web):
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl", title="Sammanslagning A och B", change_kind="merger",
                        is_large=True, units=["A", "B"], staff_affected=40)
    dm = factory.user("decision_maker")
    union_a, union_b, safety = factory.user("union_rep"), factory.user("union_rep"), factory.user("safety_rep")
    factory.member(case, hr, Party.EMPLOYER, role="chair")
    factory.member(case, dm, Party.EMPLOYER)
    factory.member(case, union_a, Party.PERSONNEL, units=["A"])
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative", units=["A"])
    db.session.commit()  # the setup exists before the action under test (factories only flush)

    # 2. grounds cannot start while unit B lacks a personnel representative; the gate says so
    reasons = reasons_closed(case, "grounds")
    assert "Enheten B saknar en personalföreträdare i styrnings- och uppföljningsgruppen." in reasons
    with pytest.raises(GateClosed) as info:
        complete_early_information(case, hr)
    assert "Enheten B saknar en personalföreträdare i styrnings- och uppföljningsgruppen." in info.value.reasons
    db.session.rollback()
    web.login(hr.email, factory.password)
    assert "Enheten B saknar en personalföreträdare" in web.client.get(f"/cases/{case.id}").get_data(as_text=True)

    # 3. after the member is added the procedure runs to a decision
    factory.member(case, union_b, Party.PERSONNEL, units=["B"])
    complete_early_information(case, hr)
    decided = _months_back(ps.today(), 6) - timedelta(days=1)
    # The negotiation ended before the (backdated) decision: a decision cannot be dated earlier.
    ended = datetime.combine(decided - timedelta(days=1), time(12), tzinfo=UTC)
    walk_to(case, hr, "decision", safety=safety, password=factory.password, ended_at=ended)
    ps.register_decision(dm, case, body="Kommunstyrelsen", decided_on=decided, reference="§ 12")
    db.session.commit()
    assert case.status == CaseStatus.DECIDED and case.current_stage == "evaluation"

    # 4. evaluation due six months after the decision; overdue the day after -> dashboard
    due = {d.code: d for d in ps.deadlines_for(case)}["evaluation_due"]
    assert due.due == dl.add_months(decided, 6) and due.due < ps.today() and due.overdue
    home = web.client.get("/home").get_data(as_text=True)
    assert "Försenade tidsfrister" in home and case.diary_number in home.split("Kommande tidsfrister")[0]

    # 5. the steering group approves the report; the case is archived and read-only
    with pytest.raises(GateClosed):
        ps.approve_evaluation(hr, case, approved_on=ps.today())
    db.session.rollback()
    ps.update_stage(hr, case, "evaluation", plan="Uppföljning efter 6 mån", indicators="Sjukfrånvaro",
                    report="Målen uppnådda")
    db.session.commit()
    with pytest.raises(GateClosed):
        ps.archive_case(hr, case)
    db.session.rollback()
    ps.approve_evaluation(hr, case, approved_on=ps.today(), minute_reference="Styrnings- och uppföljningsgruppen 2026-11-20 § 4")
    db.session.commit()
    assert not {d.code: d for d in ps.deadlines_for(case)}["evaluation_due"].overdue
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/archive", {}, token_from=page)
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.is_archived
    with pytest.raises(Conflict):
        ps.add_position(union_a, case, "evaluation", "För sent")
    assert "Arkiverat" in web.client.get(page).get_data(as_text=True)


def test_evaluation_not_overdue_on_its_due_day(factory):
    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    ps.record_urgent_decision(dm, case, "Akut brist i lokalerna")
    decided = _months_back(ps.today(), 6)
    ps.register_decision(dm, case, body="KS", decided_on=decided, reference="§ 1")
    db.session.commit()
    due = {d.code: d for d in ps.deadlines_for(case)}["evaluation_due"]
    if due.due == ps.today():
        assert not due.overdue
