"""A confirmation step before every legal milestone and destructive action (issue 17 item 3): GET
shows the consequence and changes nothing; the POST of the same URL, with CSRF, performs it.
Override and destructive actions use the warning button."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.auth.models import User
from tracker.discussion import services as discussion
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.procedure.models import StageStatus
from tracker.steering.models import SteeringMember


def _confirm_page(web, path: str) -> str:
    response = web.client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert "Vad som händer" in html
    form = re.search(r'<form method="post" action="([^"]+)" novalidate class="confirm-form">(.*?)</form>', html, re.S)
    assert form is not None and form.group(1) == path.split("#")[0]
    assert 'name="csrf_token"' in form.group(2) or "csrf_token" in form.group(2)
    return html


def _warning(html: str) -> bool:
    return bool(re.search(r'<button type="submit" class="button-warning">', html))


def test_completing_a_stage_is_confirmed_first(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    ps.update_stage(hr, case, "grounds", reasons="Budgetläget", documents_tabled="Budget")
    db.session.commit()
    web.login(hr.email, factory.password)
    path = f"/cases/{case.id}/stages/grounds/complete"
    html = _confirm_page(web, path)
    assert "Avsluta skedet Skäl" in html or "Avsluta skedet" in html
    assert "Nästa skede" in html
    db.session.expire_all()
    assert ps.current_records(case)["grounds"].status == StageStatus.ACTIVE  # GET changed nothing
    response = web.post(path, {}, token_from=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert ps.current_records(case)["grounds"].status == StageStatus.COMPLETED


def test_a_confirming_post_without_its_csrf_token_does_nothing(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    ps.update_stage(hr, case, "grounds", reasons="Budgetläget", documents_tabled="Budget")
    db.session.commit()
    web.login(hr.email, factory.password)
    response = web.client.post(f"/cases/{case.id}/stages/grounds/complete", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert ps.current_records(case)["grounds"].status == StageStatus.ACTIVE


def test_reopening_is_confirmed_with_its_reason_and_a_warning_button(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    staff(factory, case)
    complete_early_information(case, hr)
    db.session.commit()
    web.login(hr.email, factory.password)
    path = f"/cases/{case.id}/stages/early_information/reopen"
    html = _confirm_page(web, path)
    assert _warning(html) and 'name="reopen-early_information-reason"' in html
    bad = web.post(path, {"reopen-early_information-reason": ""}, token_from=path)
    assert bad.status_code == 400 and "Ange varför skedet återupptas." in bad.get_data(as_text=True)
    assert "<title>Fel: " in bad.get_data(as_text=True)
    ok = web.post(path, {"reopen-early_information-reason": "Ny information om budgeten"}, token_from=path)
    assert ok.status_code == 302
    db.session.expire_all()
    assert ps.current_records(case)["early_information"].round == 2


def test_ending_negotiations_and_registering_the_decision_are_confirmed(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    _union, safety = staff(factory, case)
    complete_early_information(case, hr, proposal_at=datetime.now(UTC) - timedelta(days=30))
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    db.session.commit()
    web.login(hr.email, factory.password)
    html = _confirm_page(web, f"/cases/{case.id}/closing/end")
    assert "Registreringen kan inte ångras." in html and 'name="end-ended_at"' in html
    stage_view = web.client.get(f"/cases/{case.id}/stages/closing").get_data(as_text=True)
    assert f'href="/cases/{case.id}/closing/end"' in stage_view
    assert not re.search(r'<form[^>]*action="[^"]*/closing/end"', stage_view)
    decision_maker = factory.user("decision_maker")
    from tracker.steering.models import Party

    factory.member(case, decision_maker, Party.EMPLOYER)
    db.session.commit()
    from tests.cases.test_views import switch

    switch(web, decision_maker, factory.password)
    html = _confirm_page(web, f"/cases/{case.id}/decision")
    assert "Ett registrerat beslut kan inte ändras." in html and 'name="decision-body"' in html


def test_override_is_a_warning_action_behind_its_confirmation(factory, web):
    case = factory.case()
    decision_maker = factory.user("decision_maker")
    from tracker.steering.models import Party

    factory.member(case, decision_maker, Party.EMPLOYER)
    db.session.commit()
    web.login(decision_maker.email, factory.password)
    page = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'class="button-warning" href="/cases/{case.id}/overrides"' in page
    assert not re.search(r'<form[^>]*action="[^"]*/overrides"', page)
    html = _confirm_page(web, f"/cases/{case.id}/overrides")
    assert _warning(html) and "avsteg" in html


def test_ending_a_membership_is_confirmed(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    union, _safety = staff(factory, case)
    db.session.commit()
    member = db.session.query(SteeringMember).filter_by(case_id=case.id, user_id=union.id).one()
    web.login(hr.email, factory.password)
    members_page = web.client.get(f"/cases/{case.id}/steering").get_data(as_text=True)
    path = f"/cases/{case.id}/steering/members/{member.id}/end"
    assert f'class="button-warning" href="{path}"' in members_page
    assert not re.search(r'<form[^>]*action="[^"]*/end"', members_page)
    html = _confirm_page(web, path)
    assert _warning(html) and union.name in html
    db.session.expire_all()
    assert db.session.get(SteeringMember, member.id).left_at is None
    assert web.post(path, {"reason": "Nytt uppdrag"}, token_from=path).status_code == 302
    db.session.expire_all()
    assert db.session.get(SteeringMember, member.id).left_at is not None
    assert web.client.get(path).status_code == 404  # nothing left to confirm


def test_withdrawing_a_counter_proposal_is_confirmed(factory, web):
    case = factory.case()
    hr = case.responsible_hr
    union, _safety = staff(factory, case)
    proposal = discussion.submit_counter_proposal(union, case, title="Vårt förslag", body="Text")
    db.session.commit()
    web.login(union.email, factory.password)
    path = f"/counter-proposals/{proposal.id}/withdraw?from=case"
    stage_view = web.client.get(f"/cases/{case.id}/stages/alternatives").get_data(as_text=True)
    assert 'class="button-warning" href="' + path.replace("&", "&amp;") + '"' in stage_view
    html = _confirm_page(web, path)
    assert _warning(html) and "Vårt förslag" in html
    db.session.expire_all()
    assert proposal.withdrawn_at is None
    response = web.post(path, {}, token_from=path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/stages/alternatives#confirmation")
    db.session.expire_all()
    assert proposal.withdrawn_at is not None
    # Another person may not even see the confirmation.
    from tests.cases.test_views import switch

    switch(web, hr, factory.password)
    assert web.client.get(f"/counter-proposals/{proposal.id}/withdraw").status_code in (403, 404)


def test_archiving_is_confirmed(factory, web):
    case = factory.case()
    web.login(case.responsible_hr.email, factory.password)
    html = _confirm_page(web, f"/cases/{case.id}/archive")
    assert _warning(html) and "Ärendet kan inte arkiveras ännu:" in html


@pytest.mark.parametrize("own", [False, True])
def test_deactivating_an_account_is_confirmed(factory, web, own):
    admin = factory.user("admin")
    target = admin if own else factory.user("union_rep", name="Tilda Testsson")
    db.session.commit()
    web.login(admin.email, factory.password)
    detail = web.client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    path = f"/admin/users/{target.id}/deactivate"
    if own:  # one cannot deactivate oneself: no link, and the confirmation sends back
        assert f'href="{path}"' not in detail
        assert web.client.get(path).status_code == 302
        return
    assert f'class="button-warning" href="{path}"' in detail
    html = _confirm_page(web, path)
    assert _warning(html) and "Tilda Testsson" in html
    db.session.expire_all()
    assert db.session.get(User, target.id).active
    assert web.post(path, {}, token_from=path).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, target.id).active


def test_the_warning_button_has_its_own_style_not_colour_alone(app):
    css = (app.static_folder and open(f"{app.static_folder}/app.css", encoding="utf-8").read()) or ""
    rule = css[css.index(".button-warning, a.button-warning"):]
    rule = rule[:rule.index("}")]
    assert "border-bottom-width" in rule and "font-weight:700" in rule
    assert '.button-warning::before { content:"⚠' in css
