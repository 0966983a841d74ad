"""One export function per format, called alike by the web views, the CLI and the tests.

Every export: checks that the reader may export the case, writes an audit checkpoint (so the
record names a signed head), builds the record once, renders it, and appends one
`export.generated` event with the format and the SHA-256 of what was handed out. Never commits.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from flask_babel import force_locale

from tracker.audit.models import AuditEvent
from tracker.audit.sentences import action_text
from tracker.audit.service import record as audit_record
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.exports import csv_safety, keys, pdf
from tracker.exports.bundle import build_bundle
from tracker.exports.labels import label
from tracker.exports.pdf.statement import render_statement
from tracker.exports.policy import can_export, can_export_all
from tracker.exports.record import build_record, record_json, record_language
from tracker.exports.serialise import EVENT_FIELDS
from tracker.i18n import gettext as _
from tracker.procedure.decision_panel import decision_extras
from tracker.procedure.policy import can_export_statement
from tracker.timeutil import to_local

FORMATS = ("pdf", "json", "csv", "bundle")
MIMETYPES = {
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "bundle": "application/zip",
}
EXTENSIONS = {"pdf": "pdf", "json": "json", "csv": "csv", "bundle": "zip"}
CSV_COLUMNS = (*EVENT_FIELDS, "prev_hash", "hash", "payload_redacted")
# Read by people, not hashed: after the evidence columns, so the verifier's columns keep their place.
CSV_TEXT_COLUMN = "action_text"
CSV_LOCAL_TIME_COLUMN = "occurred_local"


@dataclass(frozen=True)
class Export:
    """What an export hands out: the bytes, a file name, a media type and their SHA-256."""

    format: str
    data: bytes
    filename: str
    mimetype: str
    sha256: str


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def check_export_allowed(reader: User, case: Case) -> None:
    """NotFound when the reader may not see the case, PermissionDenied when they may not export it."""
    if not can_view_case(reader, case):
        raise NotFound("ärendet finns inte")
    if not can_export(reader, case):
        raise PermissionDenied("Du får inte exportera det här ärendet.")


def _filename(case: Case, fmt: str, suffix: str = "") -> str:
    name = "audit-events" if fmt == "csv" else "procedure-record"
    return f"{case.diary_number}-{name}{suffix}.{EXTENSIONS[fmt]}"


def _prepare(case: Case, reader: User, language: str | None = None) -> dict[str, Any]:
    check_export_allowed(reader, case)
    keys.write_checkpoint(reader)
    return build_record(case, reader, language=language)


def _finish(reader: User, case: Case, fmt: str, data: bytes, extra: dict[str, Any] | None = None) -> Export:
    digest = sha256_hex(data)
    payload = {"format": fmt, "sha256": digest, "bytes": len(data), **(extra or {})}
    audit_record(reader, "export.generated", case, payload, case_id=case.id)
    return Export(fmt, data, _filename(case, fmt), MIMETYPES[fmt], digest)


# --- renderers (pure: record in, bytes out) -------------------------------------------------------

def csv_cell(value: Any) -> str:
    """CSV spelling: null is an empty cell, JSON payloads in canonical form, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return csv_safety.neutralise(str(value))


def local_time_cell(occurred_at: str | None) -> str:
    """The hashed UTC instant in the organisation's time zone, with its offset, to the second
    ('2026-03-14T10:00:00+01:00'): what a reader compares with the pages and the PDF."""
    if not occurred_at:
        return ""
    instant = datetime.fromisoformat(occurred_at.replace("Z", "+00:00"))
    return to_local(instant).replace(microsecond=0).isoformat()


def csv_header(column: str) -> str:
    """A column's header in the current language with its code: 'Tapahtuma (action)'."""
    return f"{label('csv', column)} ({column})"


def render_csv(events: Iterable[dict[str, Any]], language: str = "sv") -> bytes:
    """The audit events as CSV (UTF-8 with a header row in `language`, each header naming its
    column's code; every hashed field, prev_hash and hash, then the action in words and the time
    in the organisation's zone)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    with force_locale(language):
        writer.writerow([csv_safety.neutralise(csv_header(column))
                         for column in (*CSV_COLUMNS, CSV_TEXT_COLUMN, CSV_LOCAL_TIME_COLUMN)])
        for event in events:
            writer.writerow([*(csv_cell(event.get(column)) for column in CSV_COLUMNS),
                             csv_cell(_action_text(event)), local_time_cell(event.get("occurred_at"))])
    return out.getvalue().encode("utf-8")


def _action_text(event: dict[str, Any]) -> str:
    """The event's action in words (its label, else its trail sentence) in the current language."""
    payload = event.get("payload")
    row = SimpleNamespace(action=str(event.get("action") or ""), actor_name=event.get("actor_name"),
                          payload=payload if isinstance(payload, dict) else {},
                          target_type=event.get("target_type"), target_id=event.get("target_id"))
    return action_text(cast(AuditEvent, row))


def render_pdf(record: dict[str, Any]) -> bytes:
    """The record as PDF bytes (the reader's language is in the record)."""
    return pdf.render(record)


# --- the four exports -----------------------------------------------------------------------------

def export_json(case: Case, reader: User, language: str | None = None) -> Export:
    """The procedure record as JSON (docs/procedure-record.schema.json)."""
    record = _prepare(case, reader, language)
    return _finish(reader, case, "json", record_json(record))


def export_csv(case: Case, reader: User, language: str | None = None) -> Export:
    """The case's audit events as CSV."""
    record = _prepare(case, reader, language)
    return _finish(reader, case, "csv", render_csv(record["audit"]["events"], record["language"]))


def export_pdf(case: Case, reader: User, language: str | None = None) -> Export:
    """The procedure record as a PDF document in the reader's language."""
    record = _prepare(case, reader, language)
    return _finish(reader, case, "pdf", render_pdf(record))


def export_bundle(case: Case, reader: User, language: str | None = None, *,
                  extra_payload: dict[str, Any] | None = None) -> Export:
    """A zip with the PDF, the JSON, the CSV, checkpoints, public key, manifest and verifier."""
    record = _prepare(case, reader, language)
    events_csv = render_csv(record["audit"]["events"], record["language"])
    data = build_bundle(record, render_pdf(record), record_json(record), events_csv)
    return _finish(reader, case, "bundle", data, extra_payload)


def export_bulk(reader: User, cases: Iterable[Case], *, stamp: str) -> Export:
    """One zip of every case's bundle (auditors only); each bundle is its own export event."""
    if not can_export_all(reader):
        raise PermissionDenied("Du får inte exportera flera ärenden.")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for case in cases:
            result = export_bundle(case, reader, extra_payload={"bulk": True})
            archive.writestr(result.filename, result.data)
    data = out.getvalue()
    return Export("bulk", data, f"procedure-records-{stamp}.zip", MIMETYPES["bundle"], sha256_hex(data))


EXPORTERS = {"pdf": export_pdf, "json": export_json, "csv": export_csv, "bundle": export_bundle}


def export(case: Case, reader: User, fmt: str, language: str | None = None) -> Export:
    """Dispatch by format name (web and CLI); `language` None: the case's language."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValidationFailed(f"okänt format: {fmt}") from None
    return exporter(case, reader, language)


STATEMENT_MIMETYPES = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8"}


def export_statement(case: Case, reader: User, fmt: str, language: str | None = None) -> Export:
    """The decision statement as PDF or plain text, once the decision is possible; audited as
    `decision_statement.exported` with the SHA-256 of what was handed out."""
    if not can_view_case(reader, case):
        raise NotFound("ärendet finns inte")
    if not can_export_statement(reader, case):
        raise PermissionDenied(_("Du får inte exportera beslutstexten."))
    if fmt not in STATEMENT_MIMETYPES:
        raise ValidationFailed(_("Välj PDF eller text."), field="format")
    with force_locale(record_language(case, language)):
        statement = decision_extras(reader, case).statement
        if statement is None:
            raise Conflict(_("Beslutstexten kan tas fram när beslutet är möjligt."))
        data = render_statement(statement, author=reader.name) if fmt == "pdf" else statement.text().encode("utf-8")
    digest = sha256_hex(data)
    audit_record(reader, "decision_statement.exported", case, {"format": fmt, "sha256": digest, "bytes": len(data)},
                 case_id=case.id)
    return Export(fmt, data, f"{case.diary_number}-decision-statement.{fmt}", STATEMENT_MIMETYPES[fmt], digest)
