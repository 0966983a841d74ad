"""Steering group management: the add form behind a disclosure and gone once decided; each person
offered with organisation, roles and the party inferred from them; the party inferred when left to
the organisation, and editable."""
from __future__ import annotations

from tests.factories import PASSWORD
from tracker.cases.models import CaseStatus
from tracker.extensions import db
from tracker.steering import services
from tracker.steering.models import Party


def _setup(factory):
    hr = factory.user("hr_officer", name="Hanna HR")
    case = factory.case(hr=hr)
    union = factory.user("union_rep", name="Ulf Facket")
    safety = factory.user("safety_rep", name="Siv Skydd")
    boss = factory.user("decision_maker", name="Bo Chef")
    db.session.commit()
    return hr, case, union, safety, boss


def test_add_form_is_a_disclosure_listing_organisation_role_and_party(web, factory):
    hr, case, union, _safety, boss = _setup(factory)
    web.login(hr.email, PASSWORD)
    html = web.client.get(f"/cases/{case.id}/steering").get_data(as_text=True)
    assert '<details class="add-member card" id="add-member">' in html  # closed until asked for
    assert "Ulf Facket – Kommunal, Facklig företrädare (personalen)" in html
    assert "Bo Chef – Exempelstad, Beslutsfattare (arbetsgivaren)" in html
    assert 'value="auto" selected' in html or 'selected value="auto"' in html


def test_party_is_inferred_when_left_to_the_organisation_and_editable(web, factory):
    hr, case, union, safety, boss = _setup(factory)
    web.login(hr.email, PASSWORD)
    page = f"/cases/{case.id}/steering"
    for person in (union, safety, boss):
        r = web.post(f"/cases/{case.id}/steering/members", {
            "member-user_id": person.id, "member-party": "auto", "member-role": "member",
            "member-union_id": 0}, token_from=page)
        assert r.status_code == 302
    parties = {m.user_id: m.party for m in services.current_members(case)}
    assert parties == {union.id: Party.PERSONNEL, safety.id: Party.PERSONNEL, boss.id: Party.EMPLOYER}
    other = factory.user("hr_officer", name="Hilda HR")
    db.session.commit()
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": other.id, "member-party": "employer", "member-role": "secretary",
        "member-union_id": 0}, token_from=page)
    assert r.status_code == 302
    html = web.client.get(page).get_data(as_text=True)
    # Organisation column, and a short row action naming the person for screen readers.
    assert "<td>Kommunal</td>" in html and "<td>Exempelstad</td>" in html
    assert 'Avsluta…<span class="visually-hidden"> medlemskapet för Ulf Facket</span>' in html


def test_add_form_hidden_once_decided(web, factory):
    hr, case, _union, _safety, _boss = _setup(factory)
    case.status = CaseStatus.DECIDED
    from tracker.audit.service import record
    record(None, "case.updated", case, {"changes": {"status": "decided"}}, case_id=case.id)
    db.session.commit()
    web.login(hr.email, PASSWORD)
    html = web.client.get(f"/cases/{case.id}/steering").get_data(as_text=True)
    assert 'id="add-member"' not in html and "Beslutet är fattat" in html
    # The service refuses too, for the web, the shell and the demo alike, and nothing is added.
    import pytest

    from tracker.errors import Conflict
    for actor in (hr, None):
        with pytest.raises(Conflict, match="tar inte emot nya ledamöter"):
            services.add_member(actor, case, _union, party=Party.PERSONNEL)
    r = web.post(f"/cases/{case.id}/steering/members", {
        "member-user_id": _union.id, "member-party": "auto", "member-role": "member", "member-union_id": 0},
        token_from=f"/cases/{case.id}/steering")
    assert r.status_code in (400, 403, 409)
    assert services.current_members(case) == []
