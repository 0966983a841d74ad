"""Fixtures for document tests: a case with people in every relation to it, and sample files."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.steering.models import Party

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def office_zip(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind in ("odt", "ods"):
            mime = {"odt": "application/vnd.oasis.opendocument.text",
                    "ods": "application/vnd.oasis.opendocument.spreadsheet"}[kind]
            archive.writestr("mimetype", mime)
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind in ("docx", "xlsx"):
            main = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"}[kind]
            archive.writestr("[Content_Types].xml",
                             f'<?xml version="1.0"?><Types><Override PartName="/x" ContentType="{main}"/></Types>')
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("readme.txt", "just a zip")
    return buffer.getvalue()


@dataclass
class World:
    case: Case
    hr: User            # the case's responsible HR officer (uploads)
    other_hr: User      # an HR officer with no relation to the case
    member: User        # union_rep, steering-group member, not a named reader
    outsider: User      # union_rep, not a member
    reader: User        # union_rep, member and named reader of secret documents
    auditor: User
    admin: User
    decider: User       # decision_maker, not a member

    def people(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in
                ("hr", "other_hr", "member", "outsider", "reader", "auditor", "admin", "decider")}


@pytest.fixture
def world(factory) -> World:
    hr = factory.user("hr_officer", name="Helena HR")
    case = factory.case(hr=hr)
    member = factory.user("union_rep", name="Maja Medlem")
    reader = factory.user("union_rep", name="Rune Läsare")
    factory.member(case, hr, Party.EMPLOYER)
    factory.member(case, member, Party.PERSONNEL)
    factory.member(case, reader, Party.PERSONNEL)
    return World(case=case, hr=hr, other_hr=factory.user("hr_officer"), member=member,
                 outsider=factory.user("union_rep"), reader=reader, auditor=factory.user("auditor"),
                 admin=factory.user("admin"), decider=factory.user("decision_maker"))


def upload(world: World, data: bytes = PDF, *, filename: str = "underlag.pdf", classification: str = "internal",
           title: str = "Underlag", readers=(), actor=None, **fields):
    """Upload through the service and commit (as the view does)."""
    from tracker.documents import services

    if classification == "secret":
        fields.setdefault("legal_basis", "OSL 19 kap. 1 §")
        fields.setdefault("secrecy_ends_on", __import__("datetime").date(2040, 1, 1))
    version = services.upload(actor or world.hr, world.case, stream=io.BytesIO(data), filename=filename,
                              title=title, classification=classification, readers=readers, **fields)
    db.session.commit()
    return version


def download_bytes(actor, document, version=None) -> bytes:
    from tracker.documents import services

    prepared = services.prepare_download(actor, document, version)
    db.session.commit()
    return b"".join(prepared.chunks)
