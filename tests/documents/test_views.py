"""Documents over HTTP: upload form, download headers, errors, erasure, readers, clearances."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.documents.conftest import EXE, PDF, upload
from tracker.audit.models import AuditEvent
from tracker.documents.models import Document, DocumentVersion
from tracker.documents.storage import get_store
from tracker.extensions import db


def last_action() -> str:
    return db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()


def upload_fields(web, page: str, fields: dict) -> dict:
    """The upload form's fields as the browser sends them: with the form's prefix."""
    return {"document-csrf_token": web.token(page), **{f"document-{name}": value for name, value in fields.items()}}


def post_upload(web, world, data: bytes, filename: str, **fields):
    page = f"/cases/{world.case.id}/documents"
    form = upload_fields(web, page, {"title": "Budget", "classification": "internal", "stage_code": "", **fields,
                                     "file": (io.BytesIO(data), filename)})
    return web.post(page, form, token_from=page, content_type="multipart/form-data")


@pytest.fixture
def hr(web, factory, world):
    web.login(world.hr.email, factory.password)
    return world.hr


@pytest.mark.parametrize("filename", ["Pöytäkirja 3.pdf", "Ωμέγα.pdf", "../../etc/passwd.pdf", "a;b c.pdf"])
def test_upload_and_download_with_any_name(web, world, hr, filename):
    response = post_upload(web, world, PDF, filename)
    assert response.status_code == 302, response.get_data(as_text=True)
    document = db.session.execute(select(Document)).scalar_one()
    version = document.versions[0]
    stored = filename.split("/")[-1]
    assert version.filename == stored
    page = web.client.get(response.headers["Location"])
    assert page.status_code == 200 and stored in page.get_data(as_text=True)
    down = web.client.get(f"/documents/{document.id}/download")
    assert down.status_code == 200 and down.data == PDF
    disposition = down.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert disposition.endswith("filename*=UTF-8''" + quote(stored, safe=""))
    ascii_name = disposition.split('filename="')[1].split('"')[0]
    assert ascii_name.isascii() and "/" not in ascii_name and ".." not in ascii_name and '"' not in ascii_name
    assert ascii_name.endswith(".pdf") and len(ascii_name) > 4
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    assert down.headers["Content-Security-Policy"] == "sandbox"
    assert down.headers["Cache-Control"] == "no-store"
    assert down.headers["Content-Type"] == "application/pdf"
    assert down.headers["Content-Length"] == str(len(PDF))


@pytest.mark.parametrize("name,fallback", [
    ('a"b;c\r\n.pdf', "a_b_c_.pdf"), ("Ωμέγα.pdf", "document.pdf"), ("Pöytäkirja 3.pdf", "Poytakirja 3.pdf"),
    ("åäö", "aao"), ("日本", "document"),
])
def test_content_disposition_is_safe_for_any_name(name, fallback):
    from tracker.documents.views import content_disposition

    value = content_disposition(name)
    assert value == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    assert "\r" not in value and "\n" not in value


def test_exe_renamed_pdf_is_refused_with_the_form_kept(web, world, hr):
    response = post_upload(web, world, EXE, "lönelista.pdf", title="Min rubrik")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Filtypen är inte tillåten" in html and 'id="document-file-error"' in html
    assert 'value="Min rubrik"' in html
    assert db.session.execute(select(Document)).first() is None
    assert list(get_store().list_keys()) == []


def test_missing_fields_answer_400_tied_to_the_field(web, world, hr):
    response = post_upload(web, world, PDF, "a.pdf", title="", classification="secret")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="document-title-error"' in html
    response = post_upload(web, world, PDF, "a.pdf", classification="secret", secrecy_ends_on="inte ett datum")
    assert response.status_code == 400 and 'id="document-secrecy_ends_on-error"' in response.get_data(as_text=True)
    response = post_upload(web, world, PDF, "a.pdf", classification="secret", secrecy_ends_on="2040-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="document-legal_basis-error"' in html
    assert "OSL 19 kap. 1 §" in html  # the datalist suggestions
    page = f"/cases/{world.case.id}/documents"
    response = web.post(page, upload_fields(web, page, {"title": "x", "classification": "open"}),
                        token_from=page, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="document-file-error"' in response.get_data(as_text=True)


def test_secret_upload_with_readers(web, world, hr):
    response = post_upload(web, world, PDF, "budget.pdf", classification="secret", legal_basis="OSL 19 kap. 1 §",
                           secrecy_ends_on="2040-12-31", readers=[str(world.reader.id)])
    assert response.status_code == 302
    document = db.session.execute(select(Document)).scalar_one()
    assert document.legal_basis == "OSL 19 kap. 1 §" and [r.user_id for r in document.readers] == [world.reader.id]


@pytest.mark.parametrize("app", [{"MAX_CONTENT_LENGTH": 4096}], indirect=True)
def test_request_over_the_limit_gets_a_friendly_413(web, world, hr):
    response = post_upload(web, world, b"%PDF-" + b"x" * 10_000, "stor.pdf")
    assert response.status_code == 413
    assert "Filen är för stor" in response.get_data(as_text=True)


def test_document_over_the_per_document_limit_is_a_field_error(app, web, world, hr):
    app.config["DOCUMENT_MAX_BYTES"] = 1000
    response = post_upload(web, world, b"%PDF-" + b"x" * 2000, "stor.pdf")
    assert response.status_code == 400 and "för stor" in response.get_data(as_text=True)


def test_tampered_blob_gives_an_error_page_and_an_audit_event(web, world, hr):
    version = upload(world, PDF * 10)
    path = get_store().path_for(version.storage_key)
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    response = web.client.get(f"/documents/{version.document_id}/download")
    assert response.status_code == 500
    assert "kunde inte verifieras" in response.get_data(as_text=True)
    assert PDF[:8] not in response.data
    assert last_action() == "document.integrity_failed"


def test_a_chunk_damaged_past_the_held_prefix_cuts_the_download_and_is_audited(app, web, world, hr):
    import os

    from tracker.documents import crypto
    from tracker.documents.services import IntegrityFailure

    chunk = 1024
    app.config.update(DOCUMENT_CHUNK_SIZE=chunk, DOCUMENT_DOWNLOAD_MEMORY=2 * chunk)
    plain = PDF + os.urandom(20 * chunk)
    version = upload(world, plain)
    path = get_store().path_for(version.storage_key)
    data = bytearray(path.read_bytes())
    data[crypto.HEADER.size + 12 * (crypto.NONCE_SIZE + chunk + crypto.TAG_SIZE) + 40] ^= 1
    path.write_bytes(bytes(data))
    response = web.client.get(f"/documents/{version.document_id}/download", buffered=False)
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(plain))
    received = bytearray()
    with pytest.raises(IntegrityFailure):
        for piece in response.response:
            received += piece
    response.close()
    assert bytes(received) == plain[:12 * chunk]
    assert last_action() == "document.integrity_failed"
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert event.payload["version"] == version.number and "while streaming" in event.payload["detail"]


def test_missing_blob_is_an_integrity_failure(web, world, hr):
    version = upload(world, PDF)
    get_store().delete(version.storage_key)
    assert web.client.get(f"/documents/{version.document_id}/download").status_code == 500
    assert last_action() == "document.integrity_failed"


def test_new_version_reader_and_erasure_over_http(web, world, hr):
    document = upload(world, PDF, classification="secret", readers=[]).document
    page = f"/documents/{document.id}"
    response = web.post(f"{page}/versions", {"file": (io.BytesIO(PDF + b"%2"), "v2.pdf")}, token_from=page,
                        content_type="multipart/form-data")
    assert response.status_code == 302
    response = web.post(f"{page}/readers", {"user_id": str(world.member.id)}, token_from=page)
    assert response.status_code == 302 and last_action() == "document.reader_added"
    response = web.post(f"{page}/readers/{world.member.id}/remove", {}, token_from=page)
    assert response.status_code == 302 and last_action() == "document.reader_removed"
    response = web.post(f"{page}/versions/1/erase", {"reason": ""}, token_from=page)
    assert response.status_code == 400 and 'id="reason-error"' in response.get_data(as_text=True)
    response = web.post(f"{page}/versions/1/erase", {"reason": "Gallringsfristen har löpt ut"}, token_from=page)
    assert response.status_code == 302 and last_action() == "document.erased"
    html = web.client.get(page).get_data(as_text=True)
    assert "Innehållet raderat" in html and "Gallringsfristen har löpt ut" in html
    assert web.client.get(f"{page}/versions/1").status_code == 409
    assert web.client.get(f"{page}/download").data == PDF + b"%2"


def test_union_rep_cannot_upload_or_erase(web, factory, world):
    version = upload(world, PDF)
    web.login(world.member.email, factory.password)
    response = post_upload(web, world, PDF, "a.pdf")
    assert response.status_code == 403
    response = web.post(f"/documents/{version.document_id}/versions/1/erase", {"reason": "x"},
                        token_from=f"/documents/{version.document_id}")
    assert response.status_code == 403
    assert db.session.get(DocumentVersion, version.id).erased_at is None


def test_clearance_pages(web, factory, world, hr):
    response = web.client.get(f"/cases/{world.case.id}/clearances")
    assert response.status_code == 200 and world.auditor.name in response.get_data(as_text=True)
    response = web.post(f"/cases/{world.case.id}/clearances", {"auditor_id": str(world.auditor.id), "reason": "Revision"},
                        token_from=f"/cases/{world.case.id}/clearances")
    assert response.status_code == 302 and last_action() == "clearance.granted"
    response = web.post(f"/cases/{world.case.id}/clearances", {"auditor_id": str(world.member.id)},
                        token_from=f"/cases/{world.case.id}/clearances")
    assert response.status_code == 400


def test_only_the_responsible_hr_manages_clearances(web, factory, world):
    web.login(world.other_hr.email, factory.password)
    assert web.client.get(f"/cases/{world.case.id}/clearances").status_code == 404
    colleague = factory.user("hr_officer")
    factory.member(world.case, colleague, "employer")
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    web.login(colleague.email, factory.password)
    assert web.client.get(f"/cases/{world.case.id}/clearances").status_code == 403


def test_post_without_csrf_token_is_refused(web, world, hr):
    response = web.client.post(f"/cases/{world.case.id}/documents",
                               data={"document-title": "x", "document-classification": "open",
                                     "document-file": (io.BytesIO(PDF), "a.pdf")},
                               content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.execute(select(Document)).first() is None


def test_every_route_declares_access(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("documents."):
            assert getattr(app.view_functions[rule.endpoint], "access_rule", None), rule


def test_case_page_shows_the_documents_panel(web, world, hr):
    upload(world, PDF, title="Organisationsskiss")
    response = web.client.get(f"/cases/{world.case.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="documents-panel-heading"' in html and "Organisationsskiss" in html
    # The upload form is on the documents page; the case page links to it.
    assert f'href="/cases/{world.case.id}/documents#upload"' in html
    listing = web.client.get(f"/cases/{world.case.id}/documents").get_data(as_text=True)
    assert f'action="/cases/{world.case.id}/documents"' in listing and 'id="upload"' in listing
