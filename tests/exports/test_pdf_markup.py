"""User text never becomes reportlab markup: no 500, no live link, no embedded server file (issue 15, 2)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.exports.conftest import post_export
from tracker.discussion import services as discussion
from tracker.documents import services as documents
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.procedure import services as ps
from tracker.timeutil import utcnow

LINK = '<a href="https://evil.example/phish">Klicka här</a>'
BROKEN = "Förhandling <b"
ONERROR = "<img src=x onerror=1>"


def server_image(tmp_path: Path) -> str:
    """A PNG that exists on the server: markup naming it would embed it."""
    path = tmp_path / "server-secret.png"
    Image.new("RGB", (4, 4), "red").save(path)
    return f'<img src="{path}"/>'


ANNOTATION = re.compile(rb"<<[^<>]*/Subtype\s*/Link[^<>]*(?:<<[^<>]*>>[^<>]*)*>>")


def assert_no_foreign_objects(pdf: bytes) -> None:
    """Our only links are the table of contents' jumps inside the document (/Dest); no URI, launch or
    remote action anywhere, and no image (the record draws none)."""
    assert pdf.startswith(b"%PDF")
    for action in (b"/URI", b"/Launch", b"/GoToR", b"/JavaScript", b"/SubmitForm"):
        assert action not in pdf, action
    links = ANNOTATION.findall(pdf)
    assert len(links) == len(re.findall(rb"/Subtype\s*/Link", pdf))  # every link annotation was inspected
    for link in links:
        assert re.search(rb"/Dest\s*\[", link) and b"/A " not in link and b"/A<<" not in link, link
    assert re.search(rb"/Subtype\s*/Image", pdf) is None


@pytest.fixture
def marked_up(factory, setup, tmp_path):
    """Markup in a meeting title, a stage text, a comment, a document title and a person's name."""
    case, hr = setup["case"], setup["hr"]
    image = server_image(tmp_path)
    person = factory.user("union_rep", name=f"{LINK} {BROKEN}")
    factory.member(case, person, "personnel", units=["Hemtjänst Åby"])
    for title in (ONERROR, BROKEN, LINK, image):
        meetings.schedule_meeting(hr, case, title=title, starts_at=utcnow() + timedelta(days=2),
                                  ends_at=utcnow() + timedelta(days=2, hours=1), place=LINK,
                                  stages=["early_information"])
    ps.update_stage(hr, case, "early_information", information_given=f"{ONERROR} {image}",
                    information_to=f"{LINK} {BROKEN}")
    discussion.add_comment(setup["union"], case, "early_information", f"{image} {ONERROR} {LINK} {BROKEN}")
    documents.upload(hr, case, stream=io.BytesIO(b"%PDF-1.4\nbilaga\n%%EOF\n"), filename="bilaga.pdf",
                     title=f"{image} {BROKEN}", classification="internal")
    db.session.commit()
    return setup


def test_case_pdf_and_bundle_answer_200_with_no_link_or_image(web, marked_up):
    web.login(marked_up["auditor"].email, "correct-horse-battery")
    pdf = post_export(web, marked_up["case"].id, "pdf", token_from="/exports")
    assert pdf.status_code == 200
    assert_no_foreign_objects(pdf.data)
    bundle = post_export(web, marked_up["case"].id, "bundle", token_from="/exports")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert_no_foreign_objects(archive.read("record.pdf"))


def test_bulk_export_answers_200_with_no_link_or_image(web, marked_up):
    web.login(marked_up["auditor"].email, "correct-horse-battery")
    response = web.post("/exports/bulk", {"status": "active"}, token_from="/exports")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as outer:
        (name,) = outer.namelist()
        with zipfile.ZipFile(io.BytesIO(outer.read(name))) as bundle:
            assert_no_foreign_objects(bundle.read("record.pdf"))


def test_the_pdf_shows_the_markup_as_text(marked_up, tmp_path):
    from tests.exports.conftest import pdf_text
    from tracker.exports import services

    text = pdf_text(services.export_pdf(marked_up["case"], marked_up["auditor"]).data, tmp_path)
    db.session.commit()
    assert ONERROR in text
    assert BROKEN in text
    assert "Klicka här</a>" in text



def test_every_paragraph_of_the_record_is_made_by_the_escaping_helper():
    """The guard that keeps it so: reportlab markup is parsed only from text that went through cells.para()."""
    pdf_dir = Path(__file__).resolve().parents[2] / "tracker" / "exports" / "pdf"
    made = {path.name: len(re.findall(r"\bParagraph\(", path.read_text())) for path in pdf_dir.glob("*.py")}
    assert {name: n for name, n in made.items() if n} == {"cells.py": 1}


def test_table_of_contents_entries_are_escaped(app):
    from tracker.exports.pdf.cells import para
    from tracker.exports.pdf.document import RecordDoc, register_fonts, styles

    register_fonts()
    doc = RecordDoc(io.BytesIO())
    seen = []
    doc.notify = lambda kind, stuff: seen.append(stuff)
    doc.canv = type("Canvas", (), {"bookmarkPage": lambda *a: None, "addOutlineEntry": lambda *a, **k: None})()
    doc.page = 1
    heading = para(LINK, styles()["h1"])
    doc.afterFlowable(heading)
    assert seen == [(0, "&lt;a href=\"https://evil.example/phish\"&gt;Klicka här&lt;/a&gt;", 1, None)]
