"""A lean table flowable for long plain-text tables (the audit trail of a case has thousands of rows).

reportlab's `Table` is general: per cell it resolves styles, measures, and opens a text object for
every line it draws. Our list tables are simpler: fixed column widths, cells already wrapped into
lines of one font, a header row repeated on every page, striped rows and a grid. `GridTable` lays
such a table out from precomputed row heights (a page break is a binary search over their running
sums) and draws each page piece with one path for the grid and one text object for every line, which
is what lets a 10,000-event record render at the speed of bare reportlab or better (bench/m_pdf.py).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from reportlab.lib import colors
from reportlab.platypus.flowables import Flowable

Cell = list[str]  # the cell's lines, already wrapped to the column
Row = list[Cell]


@dataclass(frozen=True)
class GridStyle:
    font: str
    bold_font: str
    size: float
    leading: float
    pad_x: float
    pad_top: float
    pad_bottom: float
    text: Any = colors.black
    header_background: Any = colors.HexColor("#e3e7ee")
    stripe: Any = colors.HexColor("#f5f6f8")
    grid: Any = colors.HexColor("#9aa3b2")
    grid_width: float = 0.25

    def row_height(self, row: Row) -> float:
        return max((len(cell) for cell in row), default=1) * self.leading + self.pad_top + self.pad_bottom


class GridTable(Flowable):
    """Rows `start` to `end` of a shared row list, with the header drawn on top of every piece.

    `index_base` is the absolute number of `rows[0]`, so stripes alternate through the whole table
    however it is split. A row taller than `max_height` (it would never fit on a page) is cut between
    its lines; any other row that does not fit moves whole to the next page.
    """

    def __init__(self, header: Row, rows: list[Row], widths: list[float], style: GridStyle, *,
                 max_height: float, start: int = 0, end: int | None = None, index_base: int = 0,
                 _sums: list[float] | None = None) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.style = style
        self.max_height = max_height
        self.start = start
        self.end = len(rows) if end is None else end
        self.index_base = index_base
        self.header_height = style.row_height(header)
        # sums[i]: the height of rows[:i]; shared by every piece cut from the same list.
        self.sums = _sums if _sums is not None else [0.0, *accumulate(style.row_height(r) for r in rows)]
        self.hAlign = "LEFT"

    def _piece(self, start: int, end: int) -> GridTable:
        return GridTable(self.header, self.rows, self.widths, self.style, max_height=self.max_height,
                         start=start, end=end, index_base=self.index_base, _sums=self.sums)

    @property
    def body_height(self) -> float:
        return self.sums[self.end] - self.sums[self.start]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:  # noqa: ARG002
        self.width = sum(self.widths)
        self.height = self.header_height + self.body_height
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:  # noqa: ARG002
        room = avail_height - self.header_height
        # The last row boundary at or below the available height.
        end = bisect_right(self.sums, self.sums[self.start] + room + 1e-6, lo=self.start, hi=self.end + 1) - 1
        if end >= self.end:
            return [self]
        if end > self.start:
            return [self._piece(self.start, end), self._piece(end, self.end)]
        return self._split_tall_row(room)

    def _split_tall_row(self, room: float) -> list[Flowable]:
        row = self.rows[self.start]
        if self.header_height + self.style.row_height(row) <= self.max_height:
            return []  # fits on a fresh page: move it there whole
        fit = int((room - self.style.pad_top - self.style.pad_bottom) // self.style.leading)
        if fit < 1:
            return []
        top = [cell[:fit] for cell in row]
        rest = [cell[fit:] or [""] for cell in row]
        index = self.index_base + self.start
        first = GridTable(self.header, [top], self.widths, self.style, max_height=self.max_height,
                          index_base=index)
        # The remainder's first row continues row `index`, so it keeps its stripe colour.
        remainder = GridTable(self.header, [rest, *self.rows[self.start + 1:self.end]], self.widths, self.style,
                              max_height=self.max_height, index_base=index)
        return [first, remainder]

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        width = sum(self.widths)
        xs = [0.0, *accumulate(self.widths)]
        top = self.header_height + self.body_height
        canvas.saveState()

        # Backgrounds: the header, then every other row.
        canvas.setFillColor(style.header_background)
        canvas.rect(0, top - self.header_height, width, self.header_height, stroke=0, fill=1)
        canvas.setFillColor(style.stripe)
        base = self.sums[self.start]
        body_top = top - self.header_height
        for i in range(self.start, self.end):
            if (self.index_base + i) % 2 == 1:
                y1 = body_top - (self.sums[i + 1] - base)
                canvas.rect(0, y1, width, self.sums[i + 1] - self.sums[i], stroke=0, fill=1)

        # The grid as one path.
        canvas.setStrokeColor(style.grid)
        canvas.setLineWidth(style.grid_width)
        lines: list[tuple[float, float, float, float]] = [(0, top, width, top), (0, body_top, width, body_top)]
        lines.extend((0, body_top - (self.sums[i] - base), width, body_top - (self.sums[i] - base))
                     for i in range(self.start + 1, self.end + 1))
        lines.extend((x, top, x, 0) for x in xs)
        canvas.lines(lines)

        # The text, one text object for the whole piece.
        text = canvas.beginText()
        text.setFillColor(style.text)
        text.setFont(style.bold_font, style.size, style.leading)
        self._draw_row(text, self.header, xs, top)
        text.setFont(style.font, style.size, style.leading)
        for i in range(self.start, self.end):
            self._draw_row(text, self.rows[i], xs, body_top - (self.sums[i] - base))
        canvas.drawText(text)
        canvas.restoreState()

    def _draw_row(self, text: Any, row: Row, xs: list[float], row_top: float) -> None:
        style = self.style
        first_baseline = row_top - style.pad_top - style.size
        for x, cell in zip(xs, row, strict=False):
            y = first_baseline
            for line in cell:
                if line:
                    text.setTextOrigin(x + style.pad_x, y)
                    # textOut() would also measure the string to advance a cursor we never use
                    # (every line is placed absolutely): a quarter of the drawing time.
                    text._textOut(line)
                y -= style.leading
