"""S7 (steering-group part): a large merger cannot reach the grounds stage until every affected
unit has a personnel representative in the steering group."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.errors import GateClosed
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.procedure.queries import reasons_closed
from tracker.steering import services as steering
from tracker.steering.models import Party


def test_s7_large_case_needs_every_unit_represented(factory, web):
    # 1. HR registers a merger of two units, marked large.
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl", title="Sammanslagning av enhet A och B", change_kind="merger",
                        is_large=True, units=["Enhet A", "Enhet B"], staff_affected=60)
    union_a = factory.user("union_rep")
    union_b = factory.user("union_rep")
    factory.member(case, hr, Party.EMPLOYER, role="chair")
    factory.member(case, union_a, Party.PERSONNEL, units=["Enhet A"])
    ps.update_stage(hr, case, "early_information", information_given="Information till båda enheterna",
                    information_given_on=date.today() - timedelta(days=3))
    db.session.commit()

    # 2. The grounds stage cannot start: unit B has no personnel representative; the gate says so.
    assert steering.unrepresented_units(case) == ["Enhet B"]
    reasons = reasons_closed(case, "early_information")
    assert any("Enhet B" in r for r in reasons) and not any("Enhet A" in r for r in reasons)
    with pytest.raises(GateClosed) as info:
        ps.complete_stage(hr, case, "early_information")
    assert any("Enhet B" in r for r in info.value.reasons)
    db.session.rollback()
    web.login(hr.email, factory.password)
    page = f"/cases/{case.id}/steering"

    # 3. HR adds the representative for unit B (over HTTP); the procedure can go on.
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": union_b.id, "member-party": "personnel", "member-role": "member",
        "member-union_id": 0, "member-units": ["Enhet B"]}, token_from=page)
    assert r.status_code == 302
    db.session.expire_all()
    assert steering.unrepresented_units(case) == []
    assert reasons_closed(case, "early_information") == []
    ps.complete_stage(hr, case, "early_information")
    db.session.commit()
    assert case.current_stage == "grounds"

    # Removing a representative later is history, not deletion: the page shows both.
    member_a = next(m for m in steering.current_members(case) if m.user_id == union_a.id)
    steering.end_membership(hr, member_a, reason="Ny förtroendeman")
    db.session.commit()
    html = web.client.get(page).get_data(as_text=True)
    assert union_a.name in html.split('id="history"')[1]
    assert steering.unrepresented_units(case) == ["Enhet A"]
