"""The decision statement as a short PDF (reportlab platypus): heading, paragraphs, evidence."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from tracker.exports.pdf.document import MARGIN, register_fonts, styles
from tracker.procedure.statement import Statement


def render_statement(statement: Statement, *, author: str) -> bytes:
    """The PDF bytes of a composed decision statement (in the language it was composed in)."""
    register_fonts()
    s = styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                            title=statement.heading, author=author, creator="Samverkan")
    story = [Paragraph(escape(statement.heading), s["h1"])]
    story += [Paragraph(escape(p), s["body"]) for p in statement.paragraphs]
    story += [Spacer(1, 6), Paragraph(escape(statement.evidence_heading), s["h2"])]
    story += [Paragraph(escape(line), s["small"]) for line in statement.evidence]
    doc.build(story)
    return out.getvalue()
