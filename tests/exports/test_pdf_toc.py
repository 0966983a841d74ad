"""The PDF's table of contents points at the right pages, with the audit table laid out once."""
from __future__ import annotations

import re

from tests.exports.conftest import pdf_pages, pdf_text
from tests.exports.test_large_record import append_events
from tracker.exports import services
from tracker.extensions import db

TOC_LINE = re.compile(r"^\s*(\S.*?\S)\s*(?:\.\s*)+\s*(\d+)\s*$")


def _toc(pages: list[str]) -> list[tuple[str, int]]:
    toc_page = next(p for p in pages if "Innehåll" in p and "sida 1 av" not in p)
    entries = []
    for line in toc_page.splitlines():
        match = TOC_LINE.match(line)
        if match:
            entries.append((match.group(1), int(match.group(2))))
    return entries


def test_toc_page_numbers_match_the_headings_and_audit_trail_is_last(setup, tmp_path):
    case = setup["case"]
    append_events(case, setup["hr"], 600)  # an audit table of several pages
    result = services.export_pdf(case, setup["auditor"])
    db.session.commit()
    text = pdf_text(result.data, tmp_path)
    pages = text.split("\f")
    total = pdf_pages(result.data, tmp_path)
    entries = _toc(pages)
    titles = [title for title, _page in entries]
    assert "Granskningslogg" in titles and "Verifiering" in titles
    assert titles.index("Verifiering") < titles.index("Granskningslogg")
    for title, page in entries:
        lines = [line.strip() for line in pages[page - 1].splitlines()]
        assert title in lines, f"{title!r} is not a heading on page {page}"
    audit_page = dict(entries)["Granskningslogg"]
    assert total - audit_page >= 5  # the audit table follows its heading, to the end
    assert f"sida {total} av {total}" in text
