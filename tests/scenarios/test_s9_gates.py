"""S9 (stage gates): se-mbl requires a risk assessment for effects and its co-signature before closing."""
from __future__ import annotations

from datetime import UTC

import pytest

from tests.procedure.helpers import complete_early_information, hold_negotiation, staff, walk_to
from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.procedure.queries import reasons_closed
from tracker.risk import services as rs


def test_s9_risk_assessment_gates(factory, web):
    case = factory.case(profile="se-mbl", title="Ny bemanning hemtjänst")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "effects")
    ps.update_stage(hr, case, "effects", effects_staff="Nya scheman")
    db.session.commit()

    # 1. effects completed without a risk assessment: refused
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(hr, case, "effects")
    assert "Ingen risk- och konsekvensanalys är bifogad." in info.value.reasons
    db.session.rollback()
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}"
    response = web.post(f"/cases/{case.id}/stages/effects/complete", {}, token_from=page)
    assert response.status_code == 409 and "Ingen risk- och konsekvensanalys är bifogad." in response.get_data(as_text=True)

    # 2. an assessment attached, not co-signed: effects may complete (se-mbl) but closing is refused
    assessment = rs.create_assessment(hr, case, summary="Risk för ökad arbetsbelastning")
    db.session.commit()
    ps.complete_stage(hr, case, "effects")
    db.session.commit()
    walk_to(case, hr, "closing")
    from datetime import datetime, timedelta

    hold_negotiation(factory, case, hr, when=datetime.now(UTC) - timedelta(hours=3))

    ps.end_negotiation(hr, case, end_mode="agreement", ended_at=datetime.now(UTC) - timedelta(hours=1))
    db.session.commit()
    reasons = reasons_closed(case, "closing")
    assert reasons == ["Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud."]
    with pytest.raises(GateClosed):
        ps.complete_stage(hr, case, "closing")
    db.session.rollback()

    # 3. the safety representative co-signs: closing is allowed; an objection is kept
    rs.add_objection(union, assessment, "Nattpersonalens situation är inte bedömd.")
    rs.cosign(safety, assessment, password=factory.password)
    db.session.commit()
    assert reasons_closed(case, "closing") == []
    ps.complete_stage(hr, case, "closing")
    db.session.commit()
    assert case.current_stage == "decision"


def test_fi_effects_accepts_recorded_waiver(factory):
    case = factory.case(profile="fi-municipal")
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "effects")
    ps.update_stage(hr, case, "effects", effects_staff="Pieni muutos")
    assessment = rs.create_assessment(hr, case, summary="Arvio")
    db.session.commit()
    assert "Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud och inget skäl är angivet." in \
        reasons_closed(case, "effects")
    rs.waive(hr, assessment, "Työsuojeluvaltuutettu ei tavoitettavissa, riskit vähäiset")
    db.session.commit()
    assert reasons_closed(case, "effects") == []
