"""The procedure record as a PDF (reportlab platypus), rendered from the record dict only.

`document` holds the page, fonts and styles, `cells` the wrapped table cells, `sections` and
`sections_outcome` one function per section of the record, `grid` the lean table flowable.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask_babel import force_locale

from tracker.exports.pdf import sections, sections_outcome
from tracker.exports.pdf.cells import Builder
from tracker.exports.pdf.document import FONT_DIR, RecordDoc, numbered_canvas, record_doc, register_fonts
from tracker.i18n import gettext as _

__all__ = ["FONT_DIR", "SECTIONS", "register_fonts", "render"]

# The title page, then every section; the audit trail is last so that nothing's page depends on it.
SECTIONS: tuple[Callable[[Builder], None], ...] = (
    sections.title_page, sections.case_section, sections.steering_section, sections.stages_section,
    sections.meetings_section, sections.counter_section, sections.risk_section,
    sections_outcome.deadline_section, sections_outcome.end_section, sections_outcome.decision_section,
    sections_outcome.evaluation_section, sections_outcome.reopen_section, sections_outcome.documents_section,
    sections_outcome.verification_section, sections_outcome.audit_section,
)


def render(record: dict[str, Any]) -> bytes:
    """The PDF bytes of a procedure record (labels in the record's language).

    One layout of the audit table. The table of contents needs every heading's page before the
    pages are drawn, and a TOC is normally resolved by laying the whole document out until the
    numbers settle (reportlab's multiBuild: at least twice). Here the audit table, by far the
    largest part, comes last, and nothing follows it: the front matter (every section and the audit
    heading) is resolved alone first, a few pages, and the full document is then laid out once
    with that table of contents fixed. The front matter lays out the same both times, so its page
    numbers hold. "Page X of Y" is drawn when the canvas is saved (NumberedCanvas), so it needs no
    second layout either.
    """
    register_fonts()
    with force_locale(record.get("language") or "sv"):
        b = Builder(record)
        for section in SECTIONS:
            section(b)
        diary = record["case"]["diary_number"]
        head = record["audit"]["chain_head"]
        footer_left = _("Kedjans huvud #%(seq)s %(hash)s", seq=head["seq"], hash=head["hash"])
        page_word = _("sida %(page)d av %(pages)d")
        subject = _("Protokoll över samverkansförfarandet")
        header = f"{diary} · {subject}"
        title = f"{diary} {record['case']['title']}"
    author = record["generated_by"]["name"]

    def make_doc(out: io.BytesIO) -> RecordDoc:
        return record_doc(out, title=title, author=author, subject=subject, header=header)

    # 1. The front matter alone, until its table of contents settles (the TOC keeps its last entries).
    make_doc(io.BytesIO()).multiBuild(list(b.story))
    for flowable in b.story:
        # Reportlab marks a flowable moved to the next frame and clears the mark only between
        # multiBuild passes (not after the last one); a second build would take it as too large.
        flowable.__dict__.pop("_postponed", None)
    # 2. Everything, once, with that table of contents (build(): no further TOC passes).
    out = io.BytesIO()
    make_doc(out).build([*b.story, *b.tail], canvasmaker=numbered_canvas(footer_left, page_word))
    return out.getvalue()
