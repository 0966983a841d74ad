"""Risk assessment page over HTTP."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.risk import queries, services
from tracker.steering.models import Party


@pytest.fixture
def setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    safety = factory.user("safety_rep")
    factory.member(case, union, Party.PERSONNEL)
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative")
    return hr, case, union, safety


def _logout(web):
    web.client.post("/logout", data={"csrf_token": web.token("/account")})


def test_full_flow(web, setup):
    hr, case, union, safety = setup
    page = f"/cases/{case.id}/risk"
    web.login(hr.email, PASSWORD)
    assert "ingen risk- och konsekvensanalys" in web.client.get(page).get_data(as_text=True)
    r = web.post(page, {"create-summary": ""}, token_from=page)
    assert r.status_code == 400 and 'id="create-summary-error"' in r.get_data(as_text=True)
    r = web.post(page, {"create-summary": "Risk för ökad arbetsbelastning.", "create-document_id": "424242"},
                 token_from=page)
    assert r.status_code == 400 and 'id="create-document_id-error"' in r.get_data(as_text=True)
    assert "Risk för ökad arbetsbelastning." in r.get_data(as_text=True)  # input kept
    r = web.post(page, {"create-summary": "Risk för ökad arbetsbelastning."}, token_from=page)
    assert r.status_code == 302
    assert "Inte underskriven" in web.client.get(page).get_data(as_text=True)
    _logout(web)

    web.login(union.email, PASSWORD)
    html = web.client.get(page).get_data(as_text=True)
    assert "Skriv under" not in html and "Lämna en invändning" in html
    assert web.post(f"{page}/cosign", {"cosign-password": PASSWORD}, token_from=page).status_code == 403
    r = web.post(f"{page}/objections", {"objection-body": "Ensamarbete är inte bedömt."}, token_from=page)
    assert r.status_code == 302
    _logout(web)

    web.login(safety.email, PASSWORD)
    r = web.post(f"{page}/cosign", {"cosign-password": "fel"}, token_from=page)
    assert r.status_code == 400 and 'id="cosign-password-error"' in r.get_data(as_text=True)
    r = web.post(f"{page}/cosign", {"cosign-password": PASSWORD}, token_from=page)
    assert r.status_code == 302
    html = web.client.get(page).get_data(as_text=True)
    assert "Underskriven av skyddsombud" in html and "Ensamarbete är inte bedömt." in html
    a = queries.assessment_for(case)
    assert a.cosigned_by_id == safety.id and len(a.objections) == 1


def test_waiver_over_http_and_access(web, factory, setup):
    hr, case, union, safety = setup
    services.create_assessment(hr, case, summary="S")
    db.session.commit()
    page = f"/cases/{case.id}/risk"
    web.login(hr.email, PASSWORD)
    r = web.post(f"{page}/waiver", {"waiver-reason": "kort"}, token_from=page)
    assert r.status_code == 400 and 'id="waiver-reason-error"' in r.get_data(as_text=True)
    r = web.post(f"{page}/waiver", {"waiver-reason": "Skyddsombud saknas på arbetsplatsen."}, token_from=page)
    assert r.status_code == 302
    assert "skäl registrerat" in web.client.get(page).get_data(as_text=True)
    _logout(web)
    outsider = factory.user("safety_rep")
    web.login(outsider.email, PASSWORD)
    assert web.client.get(page).status_code == 404
    assert web.post(f"{page}/cosign", {"cosign-password": PASSWORD}).status_code == 404


def test_cosign_shows_what_is_signed_and_needs_the_password(web, setup):
    import hashlib

    from tracker.audit.models import AuditEvent

    hr, case, _union, safety = setup
    summary = "Risk för ökad arbetsbelastning."
    services.create_assessment(hr, case, summary=summary, document_id=None)
    db.session.commit()
    page = f"/cases/{case.id}/risk"
    web.login(safety.email, PASSWORD)
    html = web.client.get(page).get_data(as_text=True)
    digest = hashlib.sha256(summary.encode()).hexdigest()
    content = queries.signed_content(queries.assessment_for(case))
    assert "Det som skrivs under" in html and digest in html and content.sha256 in html
    assert f'name="cosign-sha256" type="hidden" value="{content.sha256}"' in html
    assert 'name="cosign-password"' in html and 'autocomplete="current-password"' in html
    r = web.post(f"{page}/cosign", {"cosign-password": "", "cosign-sha256": content.sha256}, token_from=page)
    assert r.status_code == 400 and queries.assessment_for(case).cosigned_at is None
    # Signed content that changed since it was shown is refused, even with the right password.
    r = web.post(f"{page}/cosign", {"cosign-password": PASSWORD, "cosign-sha256": "0" * 64}, token_from=page)
    assert r.status_code == 409 and queries.assessment_for(case).cosigned_at is None
    r = web.post(f"{page}/cosign", {"cosign-password": PASSWORD, "cosign-sha256": content.sha256}, token_from=page)
    assert r.status_code == 302
    html = web.client.get(page).get_data(as_text=True)
    assert "Det som skrevs under" in html and content.sha256 in html
    event = db.session.query(AuditEvent).filter_by(action="risk_assessment.cosigned").one()
    assert event.payload["sha256"] == content.sha256 and event.payload["summary_sha256"] == digest
