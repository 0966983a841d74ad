"""The access matrix: every role against every class, over HTTP, with the audit trail."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.documents.conftest import PDF, upload
from tracker.audit.models import AuditEvent
from tracker.documents import queries, services
from tracker.extensions import db

# person -> class -> (document page, download)
R, M, N = "read", "metadata", "none"
EXPECTED = {
    "hr":       {"open": R, "internal": R, "secret": R},   # responsible HR and uploader
    "other_hr": {"open": N, "internal": N, "secret": N},
    "member":   {"open": R, "internal": R, "secret": N},
    "outsider": {"open": N, "internal": N, "secret": N},
    "reader":   {"open": R, "internal": R, "secret": R},
    "auditor":  {"open": R, "internal": R, "secret": M},
    "cleared":  {"open": R, "internal": R, "secret": R},
    "admin":    {"open": N, "internal": N, "secret": N},
    "decider":  {"open": N, "internal": N, "secret": N},
}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)).scalars())


@pytest.fixture
def docs(world, factory):
    cleared = factory.user("auditor", name="Clara Cleared")
    services.grant_clearance(world.hr, world.case, cleared, "Granskning 2026")
    db.session.commit()
    people = {**world.people(), "cleared": cleared}
    created = {cls: upload(world, PDF, filename=f"{cls}-fil.pdf", classification=cls, title=f"Titel {cls}",
                           readers=[world.reader] if cls == "secret" else ()).document
               for cls in ("open", "internal", "secret")}
    return people, created


@pytest.mark.parametrize("person", list(EXPECTED))
def test_access_matrix(web, factory, world, docs, person):
    people, created = docs
    user = people[person]
    web.login(user.email, factory.password)
    listing = web.client.get(f"/cases/{world.case.id}/documents")
    can_view_case = any(v != N for v in EXPECTED[person].values())
    assert listing.status_code == (200 if can_view_case else 404)
    html = listing.get_data(as_text=True)
    for cls, document in created.items():
        expected = EXPECTED[person][cls]
        denied_before = len(events("document.access_denied"))
        page = web.client.get(f"/documents/{document.id}")
        down = web.client.get(f"/documents/{document.id}/download")
        version = web.client.get(f"/documents/{document.id}/versions/1")
        body = page.get_data(as_text=True)
        if expected == R:
            assert page.status_code == 200 and f"Titel {cls}" in body
            assert down.status_code == 200 and down.data == PDF
            assert version.status_code == 200 and version.data == PDF
            assert f"Titel {cls}" in html
        elif expected == M:
            assert page.status_code == 200
            assert f"Titel {cls}" not in body and f"{cls}-fil.pdf" not in body
            assert document.versions[0].sha256 in body and "OSL 19 kap. 1 §" in body
            assert down.status_code == 404 and version.status_code == 404
            assert f"Titel {cls}" not in html and f"Sekretessbelagt dokument nr {document.id}" in html
            assert len(events("document.access_denied")) == denied_before + 2
        else:
            assert page.status_code == down.status_code == version.status_code == 404
            assert PDF not in down.data and f"Titel {cls}" not in html
            assert len(events("document.access_denied")) == denied_before + 3
            denied = events("document.access_denied")[-1]
            assert denied.actor_id == user.id and denied.target_id == str(document.id)


def test_reasons_are_shown(web, factory, world, docs):
    people, created = docs
    for person, cls, text in [("reader", "secret", "namngiven läsare"), ("hr", "secret", "laddade upp"),
                              ("cleared", "secret", "behörighet (clearance)"), ("member", "internal", "styrnings- och uppföljningsgrupp"),
                              ("auditor", "open", "revisor"), ("hr", "open", "ansvariga HR")]:
        web.login(people[person].email, factory.password)
        body = web.client.get(f"/documents/{created[cls].id}").get_data(as_text=True)
        assert text in body, (person, cls)
        web.client.post("/logout", data={"csrf_token": web.token("/account")})


def test_every_view_and_download_is_audited_without_secret_names(web, factory, world, docs):
    people, created = docs
    web.login(world.reader.email, factory.password)
    secret = created["secret"]
    web.client.get(f"/documents/{secret.id}")
    web.client.get(f"/documents/{secret.id}/download")
    viewed, downloaded = events("document.viewed")[-1], events("document.downloaded")[-1]
    assert viewed.actor_id == downloaded.actor_id == world.reader.id
    assert downloaded.payload["sha256"] == secret.versions[0].sha256
    for event_ in db.session.execute(select(AuditEvent)).scalars():
        assert "Titel secret" not in str(event_.payload) and "secret-fil.pdf" not in str(event_.payload)


def test_responsible_hr_who_is_not_a_reader_sees_metadata_only(web, factory, world):
    colleague = factory.user("hr_officer", name="Kollega HR")
    factory.member(world.case, colleague, "employer")
    document = upload(world, PDF, classification="secret", title="Lönekartläggning", actor=colleague).document
    web.login(world.hr.email, factory.password)
    page = web.client.get(f"/documents/{document.id}")
    assert page.status_code == 200 and "Lönekartläggning" not in page.get_data(as_text=True)
    assert web.client.get(f"/documents/{document.id}/download").status_code == 404


def test_clearance_can_be_revoked(web, factory, world, docs):
    people, created = docs
    cleared = people["cleared"]
    clearance = queries.clearances(world.case)[0]
    web.login(world.hr.email, factory.password)
    response = web.post(f"/clearances/{clearance.id}/revoke", {"reason": "Granskningen klar"},
                        token_from=f"/cases/{world.case.id}/clearances")
    assert response.status_code == 302
    assert events("clearance.revoked")[-1].payload["auditor_id"] == cleared.id
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    web.login(cleared.email, factory.password)
    assert web.client.get(f"/documents/{created['secret'].id}/download").status_code == 404


def test_listing_costs_a_fixed_number_of_queries(app, world, factory, count_queries):
    def queries_for_listing() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            entries, _access = queries.case_listing(world.auditor, world.case)
            for entry in entries:  # what a listing shows of each version
                assert all(v.sha256 and v.uploaded_by.name for v in entry.versions)
        return len(statements)

    upload(world, PDF, classification="secret", readers=[world.reader])
    upload(world, PDF, classification="open")
    small = queries_for_listing()
    for i in range(6):
        version = upload(world, PDF, classification=("open", "internal", "secret")[i % 3], readers=[world.reader])
        services.add_version(world.hr, version.document, stream=__import__("io").BytesIO(PDF), filename="v.pdf")
        db.session.commit()
    assert queries_for_listing() == small


def test_the_exported_record_redacts_for_uncleared_auditors(world):
    """Through the real export path (`build_record`): the documents list and the audit events."""
    from tracker.audit.service import record as audit_record
    from tracker.documents.models import Document
    from tracker.exports.record import build_record

    secret = upload(world, PDF, classification="secret", title="Budget 2027", filename="budget.pdf",
                    readers=[world.reader]).document
    upload(world, PDF, classification="internal", title="Organisationsskiss", filename="skiss.pdf")
    audit_record(world.hr, "document.renamed", db.session.get(Document, secret.id), {"title": "Budget 2027 rev"},
                 case_id=world.case.id)
    db.session.commit()

    record = build_record(world.case, world.auditor)
    rows = {r["classification"]: r for r in record["documents"]}
    assert rows["secret"]["title"] is None and rows["secret"]["name_visible"] is False
    assert rows["secret"]["versions"][0]["filename"] is None and rows["secret"]["versions"][0]["sha256"]
    assert rows["internal"]["title"] == "Organisationsskiss"
    redacted = [e for e in record["audit"]["events"] if e["payload_redacted"]]
    assert [e["action"] for e in redacted] == ["document.renamed"] and redacted[0]["payload"] is None
    assert "Budget 2027" not in str(record)

    reader_record = build_record(world.case, world.reader)
    assert {r["classification"]: r for r in reader_record["documents"]}["secret"]["title"] == "Budget 2027"
    assert not [e for e in reader_record["audit"]["events"] if e["payload_redacted"]]
    member_rows = build_record(world.case, world.member)["documents"]
    assert [r["classification"] for r in member_rows] == ["internal"]
    assert build_record(world.case, world.admin)["documents"] == []
