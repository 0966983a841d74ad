"""The PDF document: page geometry, the embedded fonts, paragraph styles, the doc template whose
headings become TOC entries and bookmarks, and the canvas that draws "page X of Y".

Embedded DejaVu Sans (static/fonts) so å, ä, ö and Finnish names render anywhere.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from tracker.exports.pdf.grid import GridStyle

FONT_DIR = Path(__file__).resolve().parents[3] / "static" / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
CELL_FONT_SIZE = 7.5
CELL_PAD = 3
FRAME_H = PAGE_H - 34 * mm
GRID_STYLE = GridStyle(font="DejaVuSans", bold_font="DejaVuSans-Bold", size=CELL_FONT_SIZE,
                       leading=CELL_FONT_SIZE + 1.5, pad_x=CELL_PAD, pad_top=1.5, pad_bottom=1.5)

_fonts_ready = False


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process."""
    global _fonts_ready
    if _fonts_ready:
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _fonts_ready = True


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the record, by name."""
    base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("Small", parent=base, fontSize=8, leading=10),
        "title": ParagraphStyle("Title", parent=base, fontName=FONT_BOLD, fontSize=22, leading=28,
                                alignment=TA_CENTER, spaceAfter=14),
        "subtitle": ParagraphStyle("Subtitle", parent=base, fontSize=13, leading=17, alignment=TA_CENTER,
                                   spaceAfter=8),
        "h1": ParagraphStyle("H1", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=10,
                             spaceAfter=8),
        "h2": ParagraphStyle("H2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                             spaceAfter=5),
        "toc1": ParagraphStyle("TOC1", parent=base, fontSize=10.5, leading=14, leftIndent=0),
        "toc2": ParagraphStyle("TOC2", parent=base, fontSize=9, leading=12, leftIndent=14),
        "flag": ParagraphStyle("Flag", parent=base, fontName=FONT_BOLD, textColor=colors.HexColor("#a4161a")),
    }


class RecordDoc(BaseDocTemplate):
    """Headings become table-of-contents entries and PDF bookmarks."""

    def afterFlowable(self, flowable: Any) -> None:
        if not isinstance(flowable, Paragraph):
            return
        style = flowable.style.name
        if style in ("H1", "H2"):
            level = 0 if style == "H1" else 1
            text = flowable.getPlainText()  # the heading's text as the user wrote it, markup undone
            key = getattr(flowable, "_bookmark", None)
            if key:
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)  # plain text: no markup
            # The table of contents lays each entry out as a Paragraph again: escape it once more.
            self.notify("TOCEntry", (level, escape(text), self.page, key))


def numbered_canvas(footer_left: str, page_word: str) -> type[pdfcanvas.Canvas]:
    """A canvas that knows the page count when drawing footers ("page X of Y")."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7)
                self.setFillColor(colors.HexColor("#4a5264"))
                self.drawString(MARGIN, 10 * mm, footer_left)
                self.drawRightString(PAGE_W - MARGIN, 10 * mm,
                                     page_word % {"page": self._pageNumber, "pages": total})
                super().showPage()
            super().save()

    return NumberedCanvas



def _page_header(header: str) -> Callable[[Any, Any], None]:
    def on_page(canv: Any, doc: Any) -> None:
        if doc.page == 1:
            return
        canv.saveState()
        canv.setFont(FONT, 8)
        canv.setFillColor(colors.HexColor("#4a5264"))
        canv.drawString(MARGIN, PAGE_H - 11 * mm, header)
        canv.setStrokeColor(colors.HexColor("#c9ced8"))
        canv.line(MARGIN, PAGE_H - 12.5 * mm, PAGE_W - MARGIN, PAGE_H - 12.5 * mm)
        canv.restoreState()

    return on_page


def record_doc(out: BinaryIO, *, title: str, author: str, subject: str, header: str) -> RecordDoc:
    """An A4 document with one frame and `header` on top of every page but the title page."""
    doc = RecordDoc(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=18 * mm,
                    bottomMargin=18 * mm, title=title, author=author, subject=subject, creator="Samverkan")
    frame = Frame(MARGIN, 16 * mm, CONTENT_W, FRAME_H, id="body", leftPadding=0, rightPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_header(header))])
    return doc
