from datetime import UTC, date, datetime, timedelta

import pytest

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.audit.models import AuditEvent
from tracker.cases.models import CaseStatus
from tracker.errors import Conflict, GateClosed, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.procedure.models import DeadlineOverride, StageRecord, StageStatus
from tracker.procedure.queries import reasons_closed
from tracker.steering.models import Party


def actions(case):
    return [e.action for e in db.session.query(AuditEvent).filter_by(case_id=case.id).order_by(AuditEvent.seq)]


def test_early_information_gate_lists_every_reason(factory):
    case = factory.case(profile="fi-municipal", may_reduce_staff=True)
    reasons = reasons_closed(case, "early_information")
    assert any("information" in r for r in reasons)
    assert any("förhandlingsframställan" in r for r in reasons)
    assert any("arbetsgivaren" in r for r in reasons) and any("personalen" in r for r in reasons)
    assert reasons_closed(case, "grounds")  # cannot start
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(case.responsible_hr, case, "early_information")
    assert info.value.reasons == reasons


def test_walk_records_who_and_when_and_audits_each_change(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    recs = ps.current_records(case)
    assert recs["early_information"].status == StageStatus.COMPLETED
    assert recs["early_information"].completed_by_id == hr.id
    assert recs["grounds"].status == StageStatus.ACTIVE and case.current_stage == "grounds"
    ps.add_position(union, case, "grounds", "Vi motsätter oss", dissent=True)
    db.session.commit()
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    assert case.current_stage == "decision"
    log = actions(case)
    assert log.count("stage.completed") == 5 and log.count("stage.started") == 5 and "position.added" in log and "negotiation.ended" in log


def test_effects_refused_without_risk_assessment_se_mbl(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "effects")
    ps.update_stage(hr, case, "effects", effects_staff="x")
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(hr, case, "effects")
    assert "Ingen risk- och konsekvensanalys är bifogad." in info.value.reasons


def test_alternatives_gate_waits_for_answers(factory):
    from tracker.discussion import services as ds

    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "alternatives", safety=safety, password=factory.password)
    proposal = ds.submit_counter_proposal(union, case, title="Behåll enheten", body="...")
    db.session.commit()
    assert any("motförslag" in r for r in reasons_closed(case, "alternatives"))
    ds.answer_counter_proposal(hr, proposal, "Nej, därför att budgeten inte räcker till.")
    db.session.commit()
    assert reasons_closed(case, "alternatives") == []


def test_decision_refused_before_closing_and_override_only_by_decision_maker(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    db.session.commit()  # the setup exists before the action under test (factories only flush)
    with pytest.raises(GateClosed):
        ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 1")
    with pytest.raises(PermissionDenied):
        ps.register_decision(hr, case, body="KS", decided_on=date.today(), reference="§ 1",
                             override_reason="Brådskande av budgetskäl")
    with pytest.raises(PermissionDenied):
        ps.override_deadline(hr, case, "closing_not_ended", "Brådskande av budgetskäl")
    with pytest.raises(ValidationFailed):
        ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 1", override_reason="x")
    db.session.rollback()
    ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 1",
                         override_reason="Brådskande av budgetskäl")
    db.session.commit()
    assert case.non_compliance is True and case.status == CaseStatus.DECIDED
    rows = db.session.query(DeadlineOverride).filter_by(case_id=case.id).all()
    assert [r.deadline_code for r in rows] == ["closing_not_ended"] and rows[0].by_id == dm.id
    assert "deadline.overridden" in actions(case) and "decision.registered" in actions(case)


def test_reopen_creates_new_round_and_resets_later_stages(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "alternatives", safety=safety, password=factory.password)
    ps.reopen_stage(hr, case, "grounds", "Planen ändrades väsentligt")
    db.session.commit()
    recs = ps.current_records(case)
    assert recs["grounds"].round == 2 and recs["grounds"].status == StageStatus.ACTIVE
    assert recs["grounds"].content["reasons"] == "Budgetläget"
    assert recs["effects"].round == 2 and recs["effects"].status == StageStatus.PENDING
    assert recs["alternatives"].round == 2 and recs["alternatives"].status == StageStatus.PENDING
    assert recs["closing"].round == 1  # never started: untouched
    frozen = db.session.query(StageRecord).filter(StageRecord.case_id == case.id,
                                                  StageRecord.superseded_at.isnot(None)).all()
    assert {r.stage_code for r in frozen} == {"grounds", "effects", "alternatives"}
    assert case.current_stage == "grounds"
    with pytest.raises(PermissionDenied):
        ps.reopen_stage(union, case, "early_information", "Ett skäl som är långt nog")
    with pytest.raises(ValidationFailed):
        ps.reopen_stage(hr, case, "early_information", "")


def test_union_position_is_personnel_and_hr_position_is_employer(factory):
    case = factory.case()
    union, _ = staff(factory, case)
    outsider = factory.user("union_rep")
    p1 = ps.add_position(union, case, "early_information", "Vår syn")
    p2 = ps.add_position(case.responsible_hr, case, "early_information", "Arbetsgivarens syn")
    db.session.commit()
    assert (p1.party, p2.party) == (Party.PERSONNEL, Party.EMPLOYER)
    from tracker.errors import NotFound

    with pytest.raises(NotFound):
        ps.add_position(outsider, case, "early_information", "x")
    with pytest.raises(ValidationFailed):
        ps.add_position(union, case, "early_information", "  ")
    with pytest.raises(Conflict):
        ps.add_position(union, case, "closing", "för tidigt")


def test_central_negotiation_locks_decision_when_timely(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    ended = datetime.now(UTC) - timedelta(days=2)
    walk_to(case, hr, "decision", safety=safety, password=factory.password, ended_at=ended,
            end_mode="disagreement")
    with pytest.raises(PermissionDenied):
        ps.request_central_negotiation(hr, case)
    req = ps.request_central_negotiation(union, case, note="Vi begär central förhandling")
    db.session.commit()
    assert req.timely
    with pytest.raises(GateClosed) as info:
        ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 2")
    assert any("central" in r for r in info.value.reasons)
    ps.end_central_negotiation(hr, case, req.id, outcome="Oenighet kvarstår")
    db.session.commit()
    ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 2")
    db.session.commit()
    assert case.non_compliance is False


def test_late_central_request_is_recorded_late_and_does_not_lock(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password,
            ended_at=datetime.now(UTC) - timedelta(days=10), end_mode="disagreement")
    req = ps.request_central_negotiation(union, case)
    db.session.commit()
    assert req.timely is False
    ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 3")
    db.session.commit()


def test_urgent_decision_then_mandatory_negotiation_before_archiving(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union, safety = staff(factory, case)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    db.session.commit()
    ps.register_decision(dm, case, body="Förvaltningschef", decided_on=date.today(), reference="§ 9")
    db.session.commit()
    assert case.non_compliance is False and case.current_stage == "early_information"
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    assert case.current_stage == "evaluation"  # decision already registered: skipped
    ps.update_stage(hr, case, "evaluation", report="Gick bra")
    ps.approve_evaluation(hr, case, approved_on=date.today())
    ps.archive_case(hr, case)
    db.session.commit()
    assert case.is_archived


def test_archive_requires_negotiation_after_urgent_decision(factory):
    case = factory.case(profile="se-mbl")
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    ps.record_urgent_decision(dm, case, "Akut brandskyddsbrist i lokalen")
    ps.register_decision(dm, case, body="F", decided_on=date.today(), reference="§ 9")
    db.session.commit()
    with pytest.raises(GateClosed) as info:
        ps.archive_case(case.responsible_hr, case)
    assert any("brådskande" in r for r in info.value.reasons)


def test_archived_case_is_read_only(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=factory.password)
    ps.register_decision(dm, case, body="KS", decided_on=date.today(), reference="§ 4")
    ps.update_stage(hr, case, "evaluation", plan="Plan", indicators="Sjukfrånvaro", report="Rapport")
    ps.approve_evaluation(hr, case, approved_on=date.today())
    ps.archive_case(hr, case)
    db.session.commit()
    from tracker.cases.services import update_case

    for call in (
        lambda: update_case(hr, case, title="Ny"),
        lambda: ps.update_stage(hr, case, "evaluation", report="x"),
        lambda: ps.add_position(union, case, "grounds", "x"),
        lambda: ps.reopen_stage(hr, case, "grounds", "Ett bra skäl"),
        lambda: ps.override_deadline(dm, case, "earliest_decision", "Ett tillräckligt långt skäl"),
        lambda: ps.request_central_negotiation(union, case),
        lambda: ps.record_urgent_decision(dm, case, "Ett tillräckligt långt skäl"),
    ):
        with pytest.raises(Conflict):
            call()
