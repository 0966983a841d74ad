"""Table cells and small text helpers: pre-wrapped cell text, the list and label/value tables,
and how values (times, names, booleans, stage content) are spelled on the page.

List tables have fixed column widths and cells pre-wrapped into lines (plain strings rather than
Paragraphs), drawn by the lean `grid.GridTable`, which keeps 10,000 audit events to seconds.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask_babel import get_locale
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from tracker.exports.labels import label
from tracker.exports.pdf.document import (
    CELL_FONT_SIZE,
    CELL_PAD,
    CONTENT_W,
    FONT,
    FONT_BOLD,
    FRAME_H,
    GRID_STYLE,
    styles,
)
from tracker.exports.pdf.grid import GridTable
from tracker.i18n import gettext as _
from tracker.timeutil import to_local


def wrap(text: Any, width: float, *, bold: bool = False, max_lines: int = 0) -> str:
    """Pre-wrap a cell's text to `width` points; a plain string with newlines lays out fast."""
    if text is None:
        return ""
    return _wrap(str(text), width, bold, max_lines)


@lru_cache(maxsize=4096)
def _wrap(text: str, width: float, bold: bool, max_lines: int) -> str:
    # Cached: actors, actions and targets repeat down an audit table of thousands of rows.
    font = FONT_BOLD if bold else FONT
    avail = width - 2 * CELL_PAD
    if "\n" not in text and "\r" not in text and stringWidth(text, font, CELL_FONT_SIZE) <= avail:
        return text  # the common case: one line
    lines: list[str] = []
    for part in text.splitlines() or [""]:
        for line in simpleSplit(part, font, CELL_FONT_SIZE, avail) or [""]:
            if stringWidth(line, font, CELL_FONT_SIZE) <= avail:
                lines.append(line)
            else:
                lines.extend(_hard_split(line, font, avail))
            if max_lines and len(lines) > max_lines:
                break
        if max_lines and len(lines) > max_lines:
            break
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 1)] + "…"
    return "\n".join(lines)


@lru_cache(maxsize=4096)
def _char_width(ch: str, font: str) -> float:
    return stringWidth(ch, font, CELL_FONT_SIZE)


def _hard_split(line: str, font: str, avail: float) -> list[str]:
    """Break a word wider than the column (dotted action names, hashes) between characters."""
    out, current, used = [], "", 0.0
    for ch in line:
        w = _char_width(ch, font)  # a TrueType string's width is the sum of its glyphs' widths
        if current and used + w > avail:
            out.append(current)
            current, used = ch, w
        else:
            current += ch
            used += w
    out.append(current)
    return out


def table(header: list[str], rows: list[list[Any]], fractions: list[float], *, max_lines: int = 0) -> list[Any]:
    """Fixed column widths, cells pre-wrapped, the header repeated on every page (grid.GridTable)."""
    widths = [CONTENT_W * f for f in fractions]
    if not rows:
        return []
    head = [wrap(h, w, bold=True).split("\n") for h, w in zip(header, widths, strict=True)]
    body = [[wrap(c, w, max_lines=max_lines).split("\n") for c, w in zip(row, widths, strict=True)] for row in rows]
    return [GridTable(head, body, widths, GRID_STYLE, max_height=FRAME_H), Spacer(1, 4)]


def facts(pairs: list[tuple[str, Any]]) -> list[Any]:
    """A two-column label/value table."""
    widths = [CONTENT_W * 0.3, CONTENT_W * 0.7]
    rows = [[wrap(k, widths[0], bold=True), wrap(value_text(v), widths[1])] for k, v in pairs]
    style = TableStyle([
        ("FONT", (0, 0), (0, -1), FONT_BOLD, CELL_FONT_SIZE, CELL_FONT_SIZE + 1.5),
        ("FONT", (1, 0), (1, -1), FONT, CELL_FONT_SIZE, CELL_FONT_SIZE + 1.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9ced8")),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ])
    return [Table(rows, colWidths=widths, style=style, hAlign="LEFT"), Spacer(1, 6)]


def value_text(value: Any) -> str:
    """A value as a cell shows it: a dash for nothing, Ja/Nej, lists joined by commas."""
    if value is None or value == "":
        return "–"
    if value is True:
        return _("Ja")
    if value is False:
        return _("Nej")
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "–"
    return str(value)


def content_text(content: Any) -> str:
    """Stage content (a dict of fields) as labelled lines."""
    if not content:
        return "–"
    if isinstance(content, dict):
        lines = []
        for key, value in content.items():
            if isinstance(value, dict):
                value = "; ".join(f"{label('party', k)}: {value_text(v)}" for k, v in value.items())
            elif key == "notice_by":
                value = label("party", value)
            lines.append(f"{label('content', key)}: {value_text(value)}")
        return "\n".join(lines)
    return value_text(content)


def when(value: str | None) -> str:
    """An ISO date or timestamp written as the record's language writes it ('7. maaliskuuta 2026',
    '7 mars 2026 10:00 CET', in the organisation's time zone); the JSON keeps the ISO form in UTC."""
    if not value:
        return "–"
    try:
        if "T" in value:
            instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=UTC)
            return local_instant(instant, long=True)
        return format_date(date.fromisoformat(value), "long", locale=_locale())
    except ValueError:
        return value


def local_instant(instant: datetime, long: bool = False) -> str:
    """An instant in the organisation's time zone with the zone's abbreviation ('10:05 CET', 'CEST' in summer),
    as the pages show it; `long` writes the day in words, else as YYYY-MM-DD with seconds."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    local = to_local(instant)
    zone = local.tzname() or ""
    if long:
        day = format_date(local.date(), "long", locale=_locale())
        clock = format_time(local, "short", tzinfo=local.tzinfo, locale=_locale())
        return f"{day} {clock} {zone}".rstrip()
    return f"{local:%Y-%m-%d %H:%M:%S} {zone}".rstrip()


def number(value: int | float) -> str:
    """A number with the record's language's digit grouping and decimal sign."""
    return format_decimal(value, locale=_locale())


def _locale() -> str:
    return str(get_locale() or "sv")


def name_of(person: dict[str, Any] | None) -> str:
    """A person's name from the record, or a dash."""
    if not person:
        return "–"
    return person.get("name") or "–"


def para(text: Any, style: Any) -> Paragraph:
    """The one way a Paragraph is made: its text is user data, escaped, never reportlab markup
    (a title `<img src=...>` would embed a server file, `<a href=...>` add a live link)."""
    return Paragraph(escape("" if text is None else str(text)), style)


class Builder:
    """Collects flowables section by section. Every method takes plain text and escapes it; list and
    fact tables take plain strings (drawn as text, never parsed)."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.styles = styles()
        self.story: list[Any] = []
        # Laid out after everything else and only once (see render()): the big audit table.
        self.tail: list[Any] = []
        self.toc: TableOfContents | None = None
        self._n = 0

    def p(self, text: str, style: str = "body") -> None:
        """A paragraph of plain text (escaped)."""
        self.story.append(para(text, self.styles[style]))

    def heading(self, text: str, level: int = 1) -> None:
        """A section heading: a table-of-contents entry and a bookmark."""
        self._n += 1
        paragraph = para(text, self.styles["h1" if level == 1 else "h2"])
        paragraph._bookmark = f"s{self._n}"
        self.story.append(paragraph)

    def add(self, flowables: list[Any]) -> None:
        """Append ready-made flowables (tables, spacers)."""
        self.story.extend(flowables)

    def empty(self, text: str | None = None) -> None:
        """Say that a section has nothing recorded."""
        self.p(text or _("Inget registrerat."), "small")

    def flag(self, text: str) -> None:
        """A non-compliance flag, in red."""
        self.story.append(para(text, self.styles["flag"]))

