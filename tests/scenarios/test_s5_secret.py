"""S5: a secret document (budget file), named readers, a denied member, an auditor's clearance."""
from __future__ import annotations

import io

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.documents.models import Document
from tracker.extensions import db
from tracker.steering.models import Party

BUDGET = "avdelning;2026;2027\nHemtjänst;41 200 000;39 800 000\nKök;12 100 000;11 000 000\n".encode()


def trail(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)).scalars())


def logout(web) -> None:
    web.client.post("/logout", data={"csrf_token": web.token("/account")})


def test_s5_secret_document(factory, web):
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr, title="Budgetanpassning äldreomsorg")
    employer2 = factory.user("hr_officer", name="Henrik Åberg")
    union1 = factory.user("union_rep", name="Ulla Nieminen")
    union2 = factory.user("union_rep", name="Veera Mäkelä")
    other_member = factory.user("safety_rep", name="Sami Järvinen")
    auditor = factory.user("auditor", name="Astrid Öberg")
    for user, party in [(hr, Party.EMPLOYER), (employer2, Party.EMPLOYER), (union1, Party.PERSONNEL),
                        (union2, Party.PERSONNEL), (other_member, Party.PERSONNEL)]:
        factory.member(case, user, party)

    # 1. HR uploads the budget as secret, OSL 19 kap. 1 §, readers: two negotiators of each party.
    web.login(hr.email, factory.password)
    documents_page = f"/cases/{case.id}/documents"
    upload_form = {
        "file": (io.BytesIO(BUDGET), "Budget 2027.csv"), "title": "Budget 2027, äldreomsorgen",
        "classification": "secret", "stage_code": "grounds", "legal_basis": "OSL 19 kap. 1 §",
        "secrecy_ends_on": "2031-12-31", "readers": [str(employer2.id), str(union1.id), str(union2.id)],
        "csrf_token": web.token(documents_page),
    }  # the upload form's fields carry its prefix
    response = web.post(documents_page, {f"document-{name}": value for name, value in upload_form.items()},
                        token_from=documents_page, content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.execute(select(Document)).scalar_one()
    version = document.versions[0]
    assert document.classification == "secret" and document.legal_basis == "OSL 19 kap. 1 §"
    assert {r.user_id for r in document.readers} == {employer2.id, union1.id, union2.id}
    assert version.kind == "csv"
    logout(web)

    # 2. Another member of the steering group: not in the list, 404 on its URL; the attempt is logged.
    web.login(other_member.email, factory.password)
    listing = web.client.get(documents_page).get_data(as_text=True)
    assert "Budget 2027" not in listing and f"/documents/{document.id}" not in listing
    assert web.client.get(f"/documents/{document.id}").status_code == 404
    assert web.client.get(f"/documents/{document.id}/download").status_code == 404
    denied = trail("document.access_denied")
    assert [e.actor_id for e in denied] == [other_member.id, other_member.id]
    assert all(e.case_id == case.id and e.target_id == str(document.id) for e in denied)
    logout(web)

    # 3. A named reader downloads it; the download is logged.
    web.login(union1.email, factory.password)
    assert "Budget 2027" in web.client.get(documents_page).get_data(as_text=True)
    page = web.client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "namngiven läsare" in page
    download = web.client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.data == BUDGET
    assert trail("document.downloaded")[-1].actor_id == union1.id
    logout(web)

    # 4. The auditor sees metadata and hash, not content, until cleared for this case.
    web.login(auditor.email, factory.password)
    listing = web.client.get(documents_page).get_data(as_text=True)
    assert "Budget 2027" not in listing and version.sha256[:16] in listing
    page = web.client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert version.sha256 in page and "OSL 19 kap. 1 §" in page and "Budget 2027" not in page
    assert web.client.get(f"/documents/{document.id}/download").status_code == 404
    assert trail("document.access_denied")[-1].actor_id == auditor.id
    logout(web)

    web.login(hr.email, factory.password)
    clearances_page = f"/cases/{case.id}/clearances"
    response = web.post(clearances_page, {"auditor_id": str(auditor.id), "reason": "Årlig granskning"},
                        token_from=clearances_page)
    assert response.status_code == 302
    granted = trail("clearance.granted")[-1]
    assert granted.actor_id == hr.id and granted.case_id == case.id and granted.payload["auditor_id"] == auditor.id
    logout(web)

    web.login(auditor.email, factory.password)
    page = web.client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Budget 2027" in page and "behörighet (clearance)" in page
    download = web.client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.data == BUDGET
    assert trail("document.downloaded")[-1].actor_id == auditor.id
    # No title or file name of the secret document anywhere in the audit trail.
    for event in db.session.execute(select(AuditEvent)).scalars():
        assert "Budget 2027" not in str(event.payload)
