"""Shared setup for export tests: a case with both parties, an auditor, and PDF text extraction."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_or_skip
from tracker.extensions import db


@pytest.fixture
def setup(factory):
    """A se-mbl case with an employer signatory and a personnel signatory (Finnish name), and an auditor."""
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, title="Omorganisation av hemtjänsten i Åby", units=["Hemtjänst Åby"])
    employer = factory.user("hr_officer", name="Örjan Ekström")
    union = factory.user("union_rep", name="Päivi Häkkinen")
    factory.member(case, employer, "employer", role="signatory")
    factory.member(case, union, "personnel", role="signatory", units=["Hemtjänst Åby"])
    auditor = factory.user("auditor", name="Astrid Öberg")
    db.session.commit()  # the world exists before the test: a rollback in the test keeps it
    return {"case": case, "hr": hr, "employer": employer, "union": union, "auditor": auditor}


def post_export(web, case_id: int, fmt: str, *, token_from: str | None = None, token: str | None = None):
    """Press an export button (the form's fields carry the `exports` prefix); the CSRF token is read
    from `token_from` (a GET) unless given."""
    token = token or web.token(token_from or "/account")
    return web.client.post(f"/cases/{case_id}/export", data={"exports-format": fmt, "exports-csrf_token": token})


def pdf_text(data: bytes, tmp_path: Path) -> str:
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    require_or_skip(shutil.which("pdfinfo") is not None, "pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def csv_rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows keyed by column code (the headers are '<name in the record's language> (<code>)')."""
    import csv
    import io

    from tracker.exports.verify_record import column_code

    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column_code(h) for h in next(reader, [])]
    return [dict(zip(header, cells, strict=False)) for cells in reader]
