"""S1: Finnish municipality, lay-offs (profile fi-municipal)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.procedure.helpers import risk_cosigned, staff
from tracker.audit.models import AuditEvent
from tracker.errors import DeadlineNotReached
from tracker.extensions import db
from tracker.meetings.services import schedule_meeting
from tracker.procedure import services as ps
from tracker.steering.models import Party

TZ = ZoneInfo("Europe/Stockholm")
YEAR = 2026


def at(month, day, hour=10):
    return datetime(YEAR, month, day, hour, tzinfo=TZ)


def meeting(hr, case, day, stages):
    return schedule_meeting(hr, case, title=f"Förhandling {day} mars", starts_at=at(3, day),
                            ends_at=at(3, day, 12), place="Stadshuset", stages=stages)


def test_s1_fi_municipal_layoffs(factory, web):
    # 1. HR registers the case; it may lead to lay-offs.
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="fi-municipal", title="Lomautukset, kotihoito", staff_affected=8,
                        may_reduce_staff=True, change_kind="cuts", units=["Kotihoito"])
    union, safety = staff(factory, case, units=["Kotihoito"])
    dm = factory.user("decision_maker")
    factory.member(case, dm, Party.EMPLOYER)
    assert case.profile_code == "fi-municipal"

    # 2. Early information given; the written proposal delivered on 2 March.
    ps.update_stage(hr, case, "early_information", information_given="Tiedote henkilöstölle",
                    information_to="Kotihoidon henkilöstö ja luottamusmiehet",
                    information_given_on=date(YEAR, 2, 27), proposal_text="Neuvotteluesitys lomautuksista",
                    proposal_delivered_at=at(3, 2, 9))
    ps.complete_stage(hr, case, "early_information")
    db.session.commit()

    # 3. A first meeting on 5 March is refused: earliest 7 March.
    with pytest.raises(DeadlineNotReached) as info:
        meeting(hr, case, 5, ["grounds"])
    assert info.value.earliest == date(YEAR, 3, 7)
    db.session.rollback()

    # 4. Meetings on 7, 14 and 20 March cover grounds, effects and alternatives.
    meeting(hr, case, 7, ["grounds"])
    meeting(hr, case, 14, ["effects"])
    meeting(hr, case, 20, ["alternatives", "closing"])
    db.session.commit()
    ps.update_stage(hr, case, "grounds", reasons="Talousarvion sopeuttaminen")
    ps.complete_stage(hr, case, "grounds")
    ps.update_stage(hr, case, "effects", effects_staff="8 työntekijää lomautetaan 30 päiväksi")
    db.session.commit()
    risk_cosigned(case, hr, safety, factory.password)
    ps.complete_stage(hr, case, "effects")
    ps.update_stage(hr, case, "alternatives", alternatives_considered="Osa-aikaistaminen")
    ps.complete_stage(hr, case, "alternatives")
    ps.end_negotiation(hr, case, end_mode="disagreement", ended_at=at(3, 20, 11),
                       employer_position="Lomautukset toteutetaan", personnel_position="Vastustamme")
    ps.complete_stage(hr, case, "closing")
    db.session.commit()

    # 5. The deadlines: minimum period met on 20 March, decision possible from 21 March.
    deadlines = {d.code: d for d in ps.deadlines_for(case)}
    assert deadlines["earliest_first_meeting"].due == date(YEAR, 3, 7)
    assert deadlines["earliest_first_meeting"].met is True
    assert deadlines["min_negotiation_period"].due == date(YEAR, 3, 20)
    assert deadlines["earliest_decision"].due == date(YEAR, 3, 21)
    web.login(hr.email, factory.password)
    page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "20 mars 2026" in page and "21 mars 2026" in page

    # A decision dated 20 March is refused; 21 March is accepted.
    with pytest.raises(DeadlineNotReached) as info:
        ps.register_decision(dm, case, body="Perusturvalautakunta", decided_on=date(YEAR, 3, 20),
                             reference="§ 41")
    assert info.value.earliest == date(YEAR, 3, 21)
    db.session.rollback()
    ps.register_decision(dm, case, body="Perusturvalautakunta", decided_on=date(YEAR, 3, 21), reference="§ 41")
    db.session.commit()

    # 6. The record shows every date.
    recs = ps.current_records(case)
    assert recs["decision"].decision_date == date(YEAR, 3, 21)
    assert recs["early_information"].proposal_delivered_at == at(3, 2, 9)
    assert recs["closing"].negotiation_ended_at == at(3, 20, 11)
    assert case.non_compliance is False
    deadlines = {d.code: d for d in ps.deadlines_for(case)}
    assert deadlines["earliest_decision"].met is True
    assert deadlines["evaluation_due"].due == date(YEAR, 9, 21)
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(case_id=case.id)}
    assert {"case.opened", "stage.completed", "meeting.scheduled", "negotiation.ended",
            "decision.registered"} <= actions
