"""S9: risk assessment missing (profile se-mbl)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.procedure.helpers import hold_negotiation
from tracker.audit.models import AuditEvent
from tracker.discussion import services as discussion
from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.risk import services as risk
from tracker.risk.models import RiskAssessmentObjection
from tracker.steering.models import Party
from tracker.timeutil import utcnow


def test_s9_risk_assessment_gates(factory, web):
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl", title="Sammanslagning av kök", units=["Kök Norr"])
    union = factory.user("union_rep")
    safety = factory.user("safety_rep")
    factory.member(case, hr, Party.EMPLOYER, role="chair")
    factory.member(case, union, Party.PERSONNEL, role="signatory", units=["Kök Norr"])
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative")

    ps.update_stage(hr, case, "early_information", information_given="Information på APT",
                    information_given_on=date.today() - timedelta(days=20))
    ps.complete_stage(hr, case, "early_information")
    ps.update_stage(hr, case, "grounds", reasons="Minskade lokalkostnader")
    ps.complete_stage(hr, case, "grounds")
    ps.update_stage(hr, case, "effects", effects_staff="Sex personer får ny arbetsplats")
    db.session.commit()

    # 1. Completing effects without a risk assessment is refused.
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(hr, case, "effects")
    assert any("risk- och konsekvensanalys" in r for r in info.value.reasons)
    db.session.rollback()

    # 2. An assessment is attached but not co-signed: effects may complete (se-mbl), closing may not.
    assessment = risk.create_assessment(hr, case, summary="Risk för ökad arbetsbelastning under flytten.")
    ps.complete_stage(hr, case, "effects")
    db.session.commit()
    # A counter-proposal keeps alternatives open until it is answered.
    proposal = discussion.submit_counter_proposal(union, case, title="Behåll köket", body="Två kök i stället")
    db.session.commit()
    with pytest.raises(GateClosed):
        ps.complete_stage(hr, case, "alternatives")
    db.session.rollback()
    discussion.answer_counter_proposal(hr, proposal, "Avslås: två kök kräver dubbel bemanning.")
    ps.update_stage(hr, case, "alternatives", alternatives_considered="Två kök; ett kök")
    ps.complete_stage(hr, case, "alternatives")
    hold_negotiation(factory, case, hr, when=utcnow() - timedelta(hours=3))
    ps.end_negotiation(hr, case, end_mode="agreement", ended_at=utcnow() - timedelta(minutes=5),
                       employer_position="Ett kök", personnel_position="Två kök")
    db.session.commit()
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(hr, case, "closing")
    assert any("medundertecknad" in r for r in info.value.reasons)
    db.session.rollback()

    # 3. The safety representative co-signs (over HTTP, with password); closing is allowed.
    page = f"/cases/{case.id}/risk"
    web.login(safety.email, factory.password)
    assert web.post(f"{page}/cosign", {"cosign-password": factory.password}, token_from=page).status_code == 302
    db.session.expire_all()
    ps.complete_stage(hr, case, "closing")
    db.session.commit()
    assert case.current_stage == "decision"

    # The union's objection to the assessment's content is stored (for the export).
    risk.add_objection(union, assessment, "Risken för ensamarbete i det nya köket är inte bedömd.")
    db.session.commit()
    stored = db.session.execute(
        select(RiskAssessmentObjection).where(RiskAssessmentObjection.case_id == case.id)).scalars().all()
    assert [o.body for o in stored] == ["Risken för ensamarbete i det nya köket är inte bedömd."]
    assert stored[0].author_id == union.id
    actions = [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.case_id == case.id)).scalars()]
    for action in ("risk_assessment.created", "risk_assessment.cosigned", "risk_assessment.objection_added",
                   "counter_proposal.submitted", "counter_proposal.answered"):
        assert action in actions
