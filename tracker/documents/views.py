"""Document pages: case document list and upload, document page, downloads, readers, erasure,
and auditor clearances. Thin: parse, call a service, render; the web layer commits once."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.documents import queries, services
from tracker.documents.forms import (
    ClearanceForm,
    DocumentsPanelForms,
    EraseForm,
    ReaderForm,
    RevokeForm,
    UploadForm,
    VersionForm,
    panel_forms,
    upload_form,
)
from tracker.documents.labels import class_label, reason_label
from tracker.documents.models import CaseClearance, Classification, Document
from tracker.documents.policy import CaseAccess, can_see_clearance, case_access
from tracker.documents.queries import DocumentsPanel
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.procedure.stages import stage_label
from tracker.unit_of_work import unit_of_work
from tracker.web.access import Permission, authenticated, current_actor, load_or_404, requires
from tracker.web.errors import render_error
from tracker.web.forms import CsrfForm, apply_domain_error, choices
from tracker.web.transaction import persist_on_failure

bp = Blueprint("documents", __name__)


def _actor() -> User:
    actor: User = current_actor()
    return actor


def _document_or_404(document_id: int, attempted: str) -> tuple[Document, CaseAccess]:
    """A document the user may see; a hidden one is recorded as a denied attempt (kept), then 404."""
    document = load_or_404(Document, document_id)
    access = case_access(_actor(), load_or_404(Case, document.case_id))
    if not access.is_visible(document):
        _deny(document, attempted)
    return document, access


def _deny(document: Document, attempted: str) -> None:
    services.record_denied(_actor(), document, attempted)
    persist_on_failure()
    abort(404)


# --- the case's documents ----------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentsPage:
    """What `documents/_case_panel.html` reads: `page.documents` and `page.forms.documents`."""

    documents: DocumentsPanel
    forms: _PageForms


@dataclass(frozen=True)
class _PageForms:
    documents: DocumentsPanelForms


def _list_page(case: Case, failed_upload: UploadForm | None = None, status: int = 200) -> ResponseReturnValue:
    panel = queries.panel(_actor(), case, limit=None)
    forms = panel_forms(panel)
    if failed_upload is not None:
        forms.upload = failed_upload
    page = DocumentsPage(documents=panel, forms=_PageForms(documents=forms))
    return render_template("documents/list.html", case=case, page=page), status


@bp.get("/cases/<int:case_id>/documents")
@authenticated
def case_documents(case_id: int) -> ResponseReturnValue:
    return _list_page(load_or_404(Case, case_id, can_view_case))


@bp.post("/cases/<int:case_id>/documents")
@requires(Permission.DOCUMENT_UPLOAD)
def upload(case_id: int) -> ResponseReturnValue:
    case = load_or_404(Case, case_id, can_view_case)
    form = upload_form(queries.reader_candidates(case, exclude={_actor().id}))
    if form.validate_on_submit():
        # An unknown id becomes None: the service refuses it as a reader, on the form.
        readers = [db.session.get(User, uid) for uid in form.readers.data or []]
        storage = form.file.data
        try:
            version = services.upload(
                _actor(), case, stream=storage.stream, filename=storage.filename or "",
                title=form.title.data or "", classification=form.classification.data or "",
                stage_code=form.stage_code.data or None, legal_basis=form.legal_basis.data,
                secrecy_ends_on=form.secrecy_ends_on.data, readers=readers)
        except DomainError as error:
            if error.status_code in (403, 404) or error.status_code >= 500:  # the error page says why
                raise
            apply_domain_error(form, error)
        else:
            flash(_("Dokumentet \"%(title)s\" är uppladdat.", title=version.document.title), "success")
            return redirect(url_for("documents.detail", document_id=version.document_id))
    return _list_page(case, form, 400)


# --- one document ------------------------------------------------------------------------------

@bp.get("/documents/<int:document_id>")
@authenticated
def detail(document_id: int) -> ResponseReturnValue:
    document, access = _document_or_404(document_id, "view")
    services.record_view(_actor(), document, access)
    return _render_detail(document, access)


def _render_detail(document: Document, access: CaseAccess, status: int = 200, **forms: Any) -> ResponseReturnValue:
    can_manage = access.can_manage(document)
    can_erase = access.can_erase(document)
    context: dict[str, Any] = {
        "document": document,
        "case": access.case,
        "redacted": access.sees_metadata_only(document),
        "reason": reason_label(access.reason(document)),
        "class_name": class_label(document.classification),
        "stage_name": stage_label(document.stage_code) if document.stage_code else None,
        "is_secret": document.classification == Classification.SECRET,
        "can_manage": can_manage,
        "can_erase": can_erase,
    }
    if can_manage:
        context["version_form"] = forms.get("version_form") or VersionForm(formdata=None)
        if document.classification == Classification.SECRET:
            reader_form = forms.get("reader_form") or ReaderForm(formdata=None)
            reader_form.user_id.choices = choices(queries.reader_candidates(access.case, _existing_readers(document)))
            context["reader_form"] = reader_form
    if can_erase:
        context["erase_form"] = forms.get("erase_form") or EraseForm(formdata=None)
        context["erase_number"] = forms.get("erase_number")
    return render_template("documents/detail.html", **context), status


def _existing_readers(document: Document) -> set[int]:
    return {r.user_id for r in document.readers} | {document.created_by_id}


class _DownloadBody:
    """A download's response body. A chunk that fails authentication mid-stream is audited (in a
    fresh app context: the request's is gone once the server iterates the body) and the exception
    goes on to the server, which cuts the connection short of Content-Length, so the client sees an
    incomplete download; nothing of the damaged chunk is sent."""

    def __init__(self, prepared: services.PreparedDownload, actor_id: int) -> None:
        self._chunks = prepared.chunks
        self._actor_id = actor_id
        self._app = current_app._get_current_object()  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        except services.IntegrityFailure as failure:
            with self._app.app_context(), unit_of_work():
                services.record_stream_failure(self._actor_id, failure)
            raise

    def close(self) -> None:
        self._chunks.close()


def _send(prepared: services.PreparedDownload) -> Response:
    version = prepared.version
    response = Response(_DownloadBody(prepared, _actor().id), direct_passthrough=True)
    response.headers["Content-Type"] = version.content_type
    response.headers["Content-Length"] = str(version.size)
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(document_id: int, number: int | None) -> ResponseReturnValue:
    document, _access = _document_or_404(document_id, "download")
    try:
        version = services.get_version(document, number) if number is not None else (
            document.latest_available_version or document.latest_version)
        prepared = services.prepare_download(_actor(), document, version)
    except services.DocumentHidden as hidden:
        _deny(hidden.document, "download")
        raise  # pragma: no cover - _deny aborts
    except services.IntegrityFailure as failure:
        services.record_integrity_failure(_actor(), failure)
        persist_on_failure()
        return render_error(500, failure.message)
    return _send(prepared)


@bp.get("/documents/<int:document_id>/download")
@authenticated
def download(document_id: int) -> ResponseReturnValue:
    return _download(document_id, None)


@bp.get("/documents/<int:document_id>/versions/<int:number>")
@authenticated
def download_version(document_id: int, number: int) -> ResponseReturnValue:
    return _download(document_id, number)


@bp.post("/documents/<int:document_id>/versions")
@requires(Permission.DOCUMENT_UPLOAD)
def add_version(document_id: int) -> ResponseReturnValue:
    document, access = _document_or_404(document_id, "add_version")
    form = VersionForm()
    if form.validate_on_submit():
        try:
            services.add_version(_actor(), document, stream=form.file.data.stream,
                                 filename=form.file.data.filename or "")
        except DomainError as error:
            if error.status_code in (403, 404) or error.status_code >= 500:  # the error page says why
                raise
            apply_domain_error(form, error)
        else:
            flash(_("En ny version är uppladdad."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    return _render_detail(document, access, 400, version_form=form)


@bp.post("/documents/<int:document_id>/readers")
@requires(Permission.DOCUMENT_UPLOAD)
def add_reader(document_id: int) -> ResponseReturnValue:
    document, access = _document_or_404(document_id, "add_reader")
    form = ReaderForm()
    form.user_id.choices = choices(queries.reader_candidates(access.case, _existing_readers(document)))
    if form.validate_on_submit():
        try:
            services.add_reader(_actor(), document, load_or_404(User, form.user_id.data))
        except DomainError as error:
            if error.status_code in (403, 404):
                raise
            apply_domain_error(form, error)
        else:
            flash(_("Läsaren är tillagd."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    return _render_detail(document, access, 400, reader_form=form)


@bp.post("/documents/<int:document_id>/readers/<int:user_id>/remove")
@requires(Permission.DOCUMENT_UPLOAD)
def remove_reader(document_id: int, user_id: int) -> ResponseReturnValue:
    document, _access = _document_or_404(document_id, "remove_reader")
    if not CsrfForm().validate_on_submit():
        abort(400)
    user = load_or_404(User, user_id)
    services.remove_reader(_actor(), document, user)
    flash(_("%(name)s är inte längre läsare.", name=user.name), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/versions/<int:number>/erase")
@requires(Permission.DOCUMENT_ERASE)
def erase(document_id: int, number: int) -> ResponseReturnValue:
    document, access = _document_or_404(document_id, "erase")
    version = services.get_version(document, number)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            services.erase_version(_actor(), version, form.reason.data or "")
        except DomainError as error:
            if error.status_code != 400:
                raise
            apply_domain_error(form, error)
        else:
            flash(_("Innehållet i version %(n)d är raderat.", n=number), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    return _render_detail(document, access, 400, erase_form=form, erase_number=number)


# --- clearances --------------------------------------------------------------------------------

def _clearance_page(case: Case, form: ClearanceForm | None = None, status: int = 200) -> ResponseReturnValue:
    if not case_access(_actor(), case).can_manage_clearances():
        abort(403)  # the case is visible (loaded with can_view_case): not found would be a lie
    form = form or ClearanceForm(formdata=None)
    if not form.auditor_id.choices:
        form.auditor_id.choices = choices(queries.auditor_candidates(case))
    return render_template("documents/clearances.html", case=case, form=form,
                           clearances=queries.clearances(case), revoke_form=RevokeForm(formdata=None)), status


@bp.get("/cases/<int:case_id>/clearances")
@requires(Permission.CLEARANCE_GRANT)
def clearances(case_id: int) -> ResponseReturnValue:
    return _clearance_page(load_or_404(Case, case_id, can_view_case))


@bp.post("/cases/<int:case_id>/clearances")
@requires(Permission.CLEARANCE_GRANT)
def grant_clearance(case_id: int) -> ResponseReturnValue:
    case = load_or_404(Case, case_id, can_view_case)
    form = ClearanceForm()
    form.auditor_id.choices = choices(queries.auditor_candidates(case))
    if form.validate_on_submit():
        try:
            services.grant_clearance(_actor(), case, load_or_404(User, form.auditor_id.data), form.reason.data or "")
        except DomainError as error:
            if error.status_code not in (400, 409):
                raise
            apply_domain_error(form, error)
        else:
            flash(_("Revisorn har fått behörighet till ärendets sekretessbelagda dokument."), "success")
            return redirect(url_for("documents.clearances", case_id=case.id))
    return _clearance_page(case, form, 400)


@bp.post("/clearances/<int:clearance_id>/revoke")
@requires(Permission.CLEARANCE_GRANT)
def revoke_clearance(clearance_id: int) -> ResponseReturnValue:
    clearance = load_or_404(CaseClearance, clearance_id, can_see_clearance)
    case = load_or_404(Case, clearance.case_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _clearance_page(case, status=400)
    services.revoke_clearance(_actor(), clearance, form.reason.data or "")
    flash(_("Behörigheten är återkallad."), "success")
    return redirect(url_for("documents.clearances", case_id=case.id))


# --- helpers -----------------------------------------------------------------------------------

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\-]+")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE_ASCII.sub("_", fallback).strip(" ._")
    _stem, dot, ext = filename.rpartition(".")
    safe_ext = _UNSAFE_ASCII.sub("", ext)[:10] if dot else ""
    if not fallback or fallback.startswith("_.") or fallback == safe_ext:
        fallback = "document" + (f".{safe_ext}" if safe_ext else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
