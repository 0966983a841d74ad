"""GridTable, the lean table flowable of the PDF export: page breaks, repeated header, tall rows."""
from __future__ import annotations

import io
import re

from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from tests.exports.conftest import pdf_pages, pdf_text
from tracker.exports.pdf.document import CONTENT_W, FRAME_H, GRID_STYLE, register_fonts
from tracker.exports.pdf.grid import GridTable

WIDTHS = [CONTENT_W * 0.2, CONTENT_W * 0.8]
HEADER = [["Nummer"], ["Text"]]


def build(rows: list[list[list[str]]]) -> bytes:
    register_fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=0, bottomMargin=0)
    frame_height = doc.height
    doc.build([GridTable(HEADER, rows, WIDTHS, GRID_STYLE, max_height=frame_height)])
    return out.getvalue()


def test_rows_break_between_pages_in_order_with_the_header_on_every_page(tmp_path):
    rows = [[[f"r{i:04d}"], [f"rad {i} första", f"rad {i} andra"]] for i in range(600)]
    data = build(rows)
    pages = pdf_pages(data, tmp_path)
    text = pdf_text(data, tmp_path)
    numbers = [int(n) for n in re.findall(r"\br(\d{4})\b", text)]
    assert numbers == list(range(600))  # every row once, in order: none lost or repeated at a break
    assert pages > 5
    assert text.count("Nummer") == pages  # the header repeats on every page
    for page in text.split("\f")[:-1]:
        # No row is cut: both of its lines are on the same page as its number.
        for n in re.findall(r"\br(\d{4})\b", page):
            assert f"rad {int(n)} andra" in page


def test_split_returns_pieces_that_fit_and_nothing_when_no_row_fits():
    register_fonts()
    rows = [[[str(i)], ["x"]] for i in range(100)]
    table = GridTable(HEADER, rows, WIDTHS, GRID_STYLE, max_height=FRAME_H)
    row_height = GRID_STYLE.row_height(rows[0])
    avail = table.header_height + 10.5 * row_height
    first, rest = table.split(CONTENT_W, avail)
    assert first.wrap(CONTENT_W, avail)[1] <= avail
    assert (first.start, first.end, rest.start, rest.end) == (0, 10, 10, 100)
    assert table.split(CONTENT_W, table.header_height + row_height / 2) == []  # moves to the next page
    assert table.split(CONTENT_W, 10_000) == [table]


def test_a_row_taller_than_a_page_is_cut_between_its_lines(tmp_path):
    long_cell = [f"line {i:03d}" for i in range(250)]
    rows = [[["a"], ["före"]], [["b"], long_cell], [["c"], ["efter"]]]
    data = build(rows)
    text = pdf_text(data, tmp_path)
    found = [int(n) for n in re.findall(r"line (\d{3})", text)]
    assert found == list(range(250))
    assert pdf_pages(data, tmp_path) >= 2
    assert text.index("före") < text.index("line 000") < text.index("line 249") < text.index("efter")
