"""Document pages: case document list and upload, document page, downloads, readers, erasure,
and auditor clearances. Thin: parse, call a service, commit once, render."""
from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.access import Permission, authenticated, requires
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.documents import services
from tracker.documents.forms import (LEGAL_BASIS_LIST_ID, ClearanceForm, EraseForm, ReaderForm, RevokeForm,
                                     UploadForm, VersionForm)
from tracker.documents.models import CaseClearance, Classification, Document
from tracker.documents.policy import CaseAccess, class_label, reason_label
from tracker.errors import DomainError, NotFound, ValidationFailed
from tracker.web.errors import render_error
from tracker.extensions import db
from tracker.procedure.stages import stage_label

bp = Blueprint("documents", __name__)


def _actor() -> User:
    return current_user._get_current_object()


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    return case


def _document_or_404(document_id: int, attempted: str) -> tuple[Document, CaseAccess]:
    """Load a visible document; a hidden one is recorded as a denied attempt (committed), then 404."""
    try:
        return services.get_document_for(_actor(), document_id)
    except services.DocumentHidden as hidden:
        db.session.rollback()
        services.record_denied(_actor(), hidden.document, attempted)
        db.session.commit()
        abort(404)
    except NotFound:
        abort(404)


def _apply_errors(form, error: DomainError) -> None:
    errors = error.details.get("errors") if isinstance(error, ValidationFailed) else None
    if errors:
        for name, message in errors.items():
            if name in form._fields:
                form[name].errors = [*form[name].errors, message]
            else:
                form.form_errors.append(message)
    else:
        form.form_errors.append(error.message or _("Åtgärden kunde inte utföras."))


def reader_choices(case: Case, exclude: set[int] = frozenset()) -> list[tuple[int, str]]:
    """Case participants who can be named readers: current members and the responsible HR officer."""
    from tracker.steering.services import current_members

    people: dict[int, User] = {case.responsible_hr_id: case.responsible_hr}
    for member in current_members(case):
        people.setdefault(member.user_id, member.user)
    return [(uid, f"{u.name} ({u.organisation.name})") for uid, u in
            sorted(people.items(), key=lambda item: item[1].name) if uid not in exclude and u.active]


def upload_form(case: Case, formdata: Any = None) -> UploadForm:
    form = UploadForm(formdata=formdata) if formdata is not None else UploadForm(formdata=None)
    form.readers.choices = reader_choices(case, exclude={current_user.id})
    return form


def panel_context(case: Case, limit: int | None = services.PANEL_LIMIT) -> dict[str, Any]:
    """What the case-page panel shows (a fixed number of queries): the newest `limit` documents
    (None: all, on the case's documents page)."""
    entries, access, total = services.case_panel_listing(current_user, case, limit)
    return {
        "entries": entries,
        "total": total,
        "more": total > len(entries),
        "access": access,
        "can_upload": access.can_upload(),
        "can_manage_clearances": access.can_manage_clearances(),
        "class_label": class_label,
        "legal_basis_suggestions": services.LEGAL_BASIS_SUGGESTIONS,
        "legal_basis_list_id": LEGAL_BASIS_LIST_ID,
    }


@bp.app_context_processor
def _panel_helpers() -> dict[str, Any]:
    def documents_panel(case: Case, form: UploadForm | None = None, show_all: bool = False) -> dict[str, Any]:
        context = panel_context(case, None if show_all else services.PANEL_LIMIT)
        if context["can_upload"]:
            context["form"] = form or upload_form(case)
        return context

    return {"documents_panel": documents_panel}


@bp.get("/cases/<int:case_id>/documents")
@authenticated
def case_documents(case_id: int):
    case = _case_or_404(case_id)
    return render_template("documents/list.html", case=case)


@bp.post("/cases/<int:case_id>/documents")
@requires(Permission.DOCUMENT_UPLOAD)
def upload(case_id: int):
    case = _case_or_404(case_id)
    form = UploadForm()
    form.readers.choices = reader_choices(case, exclude={current_user.id})
    if form.validate_on_submit():
        readers = [db.session.get(User, uid) for uid in form.readers.data or []]
        storage = form.file.data
        try:
            version = services.upload(
                _actor(), case, stream=storage.stream, filename=storage.filename or "",
                title=form.title.data, classification=form.classification.data,
                stage_code=form.stage_code.data or None, legal_basis=form.legal_basis.data,
                secrecy_ends_on=form.secrecy_ends_on.data, readers=readers)
        except DomainError as error:
            db.session.rollback()
            if error.status_code in (403, 404):
                raise
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Dokumentet \"%(title)s\" är uppladdat.", title=version.document.title), "success")
            return redirect(url_for("documents.detail", document_id=version.document_id))
    return render_template("documents/list.html", case=case, documents_upload_form=form), 400


@bp.get("/documents/<int:document_id>")
@authenticated
def detail(document_id: int):
    document, access = _document_or_404(document_id, "view")
    services.record_view(_actor(), document, access)
    db.session.commit()
    return _render_detail(document, access)


def _render_detail(document: Document, access: CaseAccess, status: int = 200, **forms: Any):
    redacted = access.sees_metadata_only(document)
    context: dict[str, Any] = {
        "document": document,
        "case": access.case,
        "access": access,
        "redacted": redacted,
        "reason": reason_label(access.reason(document)),
        "class_label": class_label,
        "stage_name": stage_label,
        "can_manage": access.can_manage(document),
        "can_erase": access.can_erase(document),
    }
    if context["can_manage"]:
        context["version_form"] = forms.get("version_form") or VersionForm(formdata=None)
        if document.classification == Classification.SECRET:
            reader_form = forms.get("reader_form") or ReaderForm(formdata=None)
            existing = {r.user_id for r in document.readers} | {document.created_by_id}
            reader_form.user_id.choices = reader_choices(access.case, exclude=existing)
            context["reader_form"] = reader_form
    if context["can_erase"]:
        context["erase_form"] = forms.get("erase_form") or EraseForm(formdata=None)
        context["erase_number"] = forms.get("erase_number")
    return render_template("documents/detail.html", **context), status


class _DownloadBody:
    """A download's response body. A chunk that fails authentication mid-stream is audited (in a
    fresh app context: the request's is gone once the server iterates the body) and the exception
    goes on to the server, which cuts the connection short of Content-Length, so the client sees an
    incomplete download; nothing of the damaged chunk is sent."""

    def __init__(self, prepared: services.PreparedDownload, actor_id: int) -> None:
        self._chunks = prepared.chunks
        self._actor_id = actor_id
        self._app = current_app._get_current_object()

    def __iter__(self):
        try:
            yield from self._chunks
        except services.IntegrityFailure as failure:
            with self._app.app_context():
                services.record_stream_failure(self._actor_id, failure)
                db.session.commit()
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


def _download(document_id: int, number: int | None):
    document, _access = _document_or_404(document_id, "download")
    try:
        version = services.get_version(document, number) if number is not None else (
            document.latest_available_version or document.latest_version)
        prepared = services.prepare_download(_actor(), document, version)
    except services.DocumentHidden as hidden:
        db.session.rollback()
        services.record_denied(_actor(), hidden.document, "download")
        db.session.commit()
        abort(404)
    except services.IntegrityFailure as failure:
        db.session.rollback()
        services.record_integrity_failure(_actor(), failure)
        db.session.commit()
        return render_error(500, failure.message)
    db.session.commit()
    return _send(prepared)


@bp.get("/documents/<int:document_id>/download")
@authenticated
def download(document_id: int):
    return _download(document_id, None)


@bp.get("/documents/<int:document_id>/versions/<int:number>")
@authenticated
def download_version(document_id: int, number: int):
    return _download(document_id, number)


@bp.post("/documents/<int:document_id>/versions")
@requires(Permission.DOCUMENT_UPLOAD)
def add_version(document_id: int):
    document, access = _document_or_404(document_id, "add_version")
    form = VersionForm()
    if form.validate_on_submit():
        try:
            services.add_version(_actor(), document, stream=form.file.data.stream,
                                 filename=form.file.data.filename or "")
        except DomainError as error:
            db.session.rollback()
            if error.status_code in (403, 404):
                raise
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("En ny version är uppladdad."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    document, access = services.get_document_for(_actor(), document_id)
    return _render_detail(document, access, 400, version_form=form)


@bp.post("/documents/<int:document_id>/readers")
@requires(Permission.DOCUMENT_UPLOAD)
def add_reader(document_id: int):
    document, access = _document_or_404(document_id, "add_reader")
    form = ReaderForm()
    existing = {r.user_id for r in document.readers} | {document.created_by_id}
    form.user_id.choices = reader_choices(access.case, exclude=existing)
    if form.validate_on_submit():
        try:
            services.add_reader(_actor(), document, db.session.get(User, form.user_id.data))
        except DomainError as error:
            db.session.rollback()
            if error.status_code in (403, 404):
                raise
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Läsaren är tillagd."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    document, access = services.get_document_for(_actor(), document_id)
    return _render_detail(document, access, 400, reader_form=form)


@bp.post("/documents/<int:document_id>/readers/<int:user_id>/remove")
@requires(Permission.DOCUMENT_UPLOAD)
def remove_reader(document_id: int, user_id: int):
    document, _access = _document_or_404(document_id, "remove_reader")
    if not RevokeForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    services.remove_reader(_actor(), document, user)
    db.session.commit()
    flash(_("%(name)s är inte längre läsare.", name=user.name), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/versions/<int:number>/erase")
@requires(Permission.DOCUMENT_ERASE)
def erase(document_id: int, number: int):
    document, access = _document_or_404(document_id, "erase")
    version = services.get_version(document, number)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            services.erase_version(_actor(), version, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            if error.status_code != 400:
                raise
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Innehållet i version %(n)d är raderat.", n=number), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    document, access = services.get_document_for(_actor(), document_id)
    return _render_detail(document, access, 400, erase_form=form, erase_number=number)


# --- clearances --------------------------------------------------------------------------------

def _clearance_page(case: Case, form: ClearanceForm | None = None, status: int = 200):
    if not services.case_access(current_user, case).can_manage_clearances():
        abort(404 if not can_view_case(current_user, case) else 403)
    form = form or ClearanceForm(formdata=None)
    if not form.auditor_id.choices:
        form.auditor_id.choices = _auditor_choices(case)
    return render_template("documents/clearances.html", case=case, form=form,
                           clearances=services.clearances(case), revoke_form=RevokeForm(formdata=None)), status


def _auditor_choices(case: Case) -> list[tuple[int, str]]:
    cleared = {c.user_id for c in services.clearances(case) if c.is_active}
    return [(u.id, u.name) for u in services.auditors() if u.id not in cleared]


@bp.get("/cases/<int:case_id>/clearances")
@requires(Permission.CLEARANCE_GRANT)
def clearances(case_id: int):
    return _clearance_page(_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/clearances")
@requires(Permission.CLEARANCE_GRANT)
def grant_clearance(case_id: int):
    case = _case_or_404(case_id)
    form = ClearanceForm()
    form.auditor_id.choices = _auditor_choices(case)
    if form.validate_on_submit():
        try:
            services.grant_clearance(_actor(), case, db.session.get(User, form.auditor_id.data), form.reason.data)
        except DomainError as error:
            db.session.rollback()
            if error.status_code not in (400, 409):
                raise
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Revisorn har fått behörighet till ärendets sekretessbelagda dokument."), "success")
            return redirect(url_for("documents.clearances", case_id=case.id))
    return _clearance_page(case, form, 400)


@bp.post("/clearances/<int:clearance_id>/revoke")
@requires(Permission.CLEARANCE_GRANT)
def revoke_clearance(clearance_id: int):
    clearance = db.session.get(CaseClearance, clearance_id)
    if clearance is None:
        abort(404)
    case = _case_or_404(clearance.case_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _clearance_page(case, status=400)
    services.revoke_clearance(_actor(), clearance, form.reason.data)
    db.session.commit()
    flash(_("Behörigheten är återkallad."), "success")
    return redirect(url_for("documents.clearances", case_id=case.id))


# --- helpers -----------------------------------------------------------------------------------

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\-]+")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE_ASCII.sub("_", fallback).strip(" ._")
    stem, dot, ext = filename.rpartition(".")
    safe_ext = _UNSAFE_ASCII.sub("", ext)[:10] if dot else ""
    if not fallback or fallback.startswith("_.") or fallback == safe_ext:
        fallback = "document" + (f".{safe_ext}" if safe_ext else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
