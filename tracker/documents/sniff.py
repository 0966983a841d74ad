"""Content sniffing: what a file IS, from its bytes, never from its name or the browser's claim."""
from __future__ import annotations

import codecs
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from tracker.i18n import gettext as _


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extensions: tuple[str, ...]
    label: str


KINDS = {k.code: k for k in (
    FileKind("pdf", "application/pdf", (".pdf",), "PDF"),
    FileKind("png", "image/png", (".png",), "PNG"),
    FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX"),
    FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",), "ODT"),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",), "ODS"),
    FileKind("txt", "text/plain; charset=utf-8", (".txt",), "TXT"),
    FileKind("csv", "text/csv; charset=utf-8", (".csv",), "CSV"),
)}

ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG, TXT, CSV"

_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_SCAN = 64 * 1024
_MAX_XML = 1024 * 1024


class FileRejected(ValueError):
    """The file is not one of the allowed types (message is translated, for the user)."""


def _zip_kind(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 200:
                    value = archive.read("mimetype").decode("ascii", "replace").strip()
                    if value in _ODF:
                        return _ODF[value]
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size <= _MAX_XML:
                    xml = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                    for marker, kind in _OOXML.items():
                        if marker in xml:
                            return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


def _is_text(stream: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    while True:
        block = stream.read(_SCAN)
        if not block:
            break
        if b"\x00" in block:
            return False
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def extension_of(filename: str) -> str:
    return os.path.splitext(filename)[1].lower()


def detect(stream: BinaryIO, filename: str) -> FileKind:
    """The kind of a seekable stream's content; FileRejected if not allowed or not what the name
    says. Leaves the stream at position 0."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    ext = extension_of(filename)
    code: str | None = None
    if head.startswith(b"%PDF-"):
        code = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        code = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        code = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        code = _zip_kind(stream)
    elif head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        code = None
    elif _is_text(stream):
        code = "csv" if ext == ".csv" else "txt"
    stream.seek(0)
    if code is None:
        raise FileRejected(_("Filtypen är inte tillåten. Tillåtna typer är %(types)s; filens innehåll "
                             "avgör typen, inte filnamnet.", types=ALLOWED_LABEL))
    kind = KINDS[code]
    if ext not in kind.extensions:
        raise FileRejected(_("Filens innehåll är %(kind)s men filnamnet slutar på \"%(ext)s\". Byt namn "
                             "på filen så att filändelsen stämmer (%(expected)s).", kind=kind.label,
                             ext=ext or _("(ingen filändelse)"), expected=", ".join(kind.extensions)))
    return kind


def clean_filename(raw: str | None) -> str:
    """The last path component of a client-given name, NFC, without control characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name
