"""The decision statement as a short PDF (reportlab platypus): heading, paragraphs, evidence.
Every paragraph goes through `cells.para` (escaped: the text is never parsed as markup)."""
from __future__ import annotations

import io

from reportlab.platypus import SimpleDocTemplate, Spacer

from tracker.exports.pdf.cells import para
from tracker.exports.pdf.document import MARGIN, register_fonts, styles
from tracker.procedure.statement import Statement


def render_statement(statement: Statement, *, author: str) -> bytes:
    """The PDF bytes of a composed decision statement (in the language it was composed in)."""
    register_fonts()
    s = styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=statement.heading, author=author, creator="Samverkan")
    story = [para(statement.heading, s["h1"])]
    story += [para(p, s["body"]) for p in statement.paragraphs]
    story += [Spacer(1, 6), para(statement.evidence_heading, s["h2"])]
    story += [para(line, s["small"]) for line in statement.evidence]
    doc.build(story)
    return out.getvalue()
