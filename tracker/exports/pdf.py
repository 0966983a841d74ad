"""The procedure record as a PDF (reportlab platypus), rendered from the record dict only.

Embedded DejaVu Sans (static/fonts) so å, ä, ö and Finnish names render anywhere. List tables have
fixed column widths and cells pre-wrapped into lines (plain strings rather than Paragraphs), drawn by
the lean `pdf_grid.GridTable`, which keeps 10,000 audit events to seconds.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents
from xml.sax.saxutils import escape

from tracker.exports.pdf_grid import GridStyle, GridTable

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
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
    global _fonts_ready
    if _fonts_ready:
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _fonts_ready = True


def _styles() -> dict[str, ParagraphStyle]:
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
            text = flowable.getPlainText()
            key = getattr(flowable, "_bookmark", None)
            if key:
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, text, self.page, key))


def _canvas_class(footer_left: str, page_word: str):
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


# --- small builders -------------------------------------------------------------------------------

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
    """Fixed column widths, cells pre-wrapped, the header repeated on every page (pdf_grid.GridTable)."""
    widths = [CONTENT_W * f for f in fractions]
    if not rows:
        return []
    head = [wrap(h, w, bold=True).split("\n") for h, w in zip(header, widths)]
    body = [[wrap(c, w, max_lines=max_lines).split("\n") for c, w in zip(row, widths)] for row in rows]
    return [GridTable(head, body, widths, GRID_STYLE, max_height=FRAME_H), Spacer(1, 4)]


def facts(pairs: list[tuple[str, Any]]) -> list[Any]:
    """A two-column label/value table."""
    widths = [CONTENT_W * 0.3, CONTENT_W * 0.7]
    rows = [[wrap(k, widths[0], bold=True), wrap(_text(v), widths[1])] for k, v in pairs]
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


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return _("Ja")
    if value is False:
        return _("Nej")
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "–"
    return str(value)


def _labels() -> dict[str, dict[str, str]]:
    """Translated names for the codes the record stores, in the current (the reader's) locale."""
    return _labels_for(str(get_locale()))


@lru_cache(maxsize=8)
def _labels_for(locale: str) -> dict[str, dict[str, str]]:  # noqa: ARG001 - the cache key; gettext reads it
    return {
        "party": {"employer": _("Arbetsgivaren"), "personnel": _("Personalen")},
        "role": {"chair": _("Ordförande"), "member": _("Ledamot"), "secretary": _("Sekreterare"),
                 "signatory": _("Justerare"), "safety_representative": _("Skyddsombud")},
        "status": {"active": _("Pågående"), "decided": _("Beslutat"), "archived": _("Arkiverat"),
                   "pending": _("Väntar"), "completed": _("Avslutat")},
        "minutes": {"draft": _("Utkast"), "awaiting_approval": _("Väntar på justering"), "approved": _("Justerat"),
                    "disputed": _("Omtvistat")},
        "change_kind": {"reorganisation": _("Omorganisation"), "merger": _("Sammanslagning"),
                        "outsourcing": _("Utkontraktering"), "cuts": _("Besparingar / neddragningar"), "other": _("Annat")},
        "content": {
            "information_given": _("Information som getts"), "information_to": _("Till vem"),
            "information_given_on": _("Datum då informationen gavs"),
            "proposal_text": _("Skriftlig förhandlingsframställan"),
            "reasons": _("Varför förändringen planeras"), "documents_tabled": _("Handlingar"),
            "effects_staff": _("Verkningar för personalen"), "effects_units": _("Verkningar för enheterna"),
            "effects_conditions": _("Verkningar för arbetsförhållandena"),
            "alternatives_considered": _("Alternativ som övervägts"), "notes": _("Anteckningar om avslutandet"),
            "final_positions": _("Ståndpunkter"), "notice_by": _("Skriftligt besked från"),
            "body": _("Beslutsorgan"), "reference": _("Referens (§)"), "summary": _("Sammanfattning"),
            "urgent": _("Brådskande beslut"), "plan": _("Utvärderingsplan"), "indicators": _("Indikatorer"),
            "report": _("Utvärderingsrapport"), "approval_reference": _("Referens (§)"),
        },
    }


def label(kind: str, code: Any) -> str:
    if code is None or code == "":
        return "–"
    return _labels()[kind].get(str(code), str(code))


def _content(content: Any) -> str:
    if not content:
        return "–"
    if isinstance(content, dict):
        lines = []
        for key, value in content.items():
            if isinstance(value, dict):
                value = "; ".join(f"{label('party', k)}: {_text(v)}" for k, v in value.items())
            elif key == "notice_by":
                value = label("party", value)
            lines.append(f"{label('content', key)}: {_text(value)}")
        return "\n".join(lines)
    return _text(content)


def when(value: str | None) -> str:
    """An ISO timestamp shortened for the page (UTC; the JSON keeps full precision)."""
    if not value:
        return "–"
    if "T" in value:
        return value[:16].replace("T", " ") + " UTC"
    return value


def _name(person: dict[str, Any] | None) -> str:
    if not person:
        return "–"
    return person.get("name") or "–"


class Builder:
    """Collects flowables section by section."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.styles = _styles()
        self.story: list[Any] = []
        # Laid out after everything else and only once (see render()): the big audit table.
        self.tail: list[Any] = []
        self.toc: TableOfContents | None = None
        self._n = 0

    def p(self, text: str, style: str = "body") -> None:
        self.story.append(Paragraph(escape(text), self.styles[style]))

    def heading(self, text: str, level: int = 1) -> None:
        self._n += 1
        para = Paragraph(escape(text), self.styles["h1" if level == 1 else "h2"])
        para._bookmark = f"s{self._n}"  # type: ignore[attr-defined]
        self.story.append(para)

    def add(self, flowables: list[Any]) -> None:
        self.story.extend(flowables)

    def empty(self, text: str | None = None) -> None:
        self.p(text or _("Inget registrerat."), "small")

    def flag(self, text: str) -> None:
        self.story.append(Paragraph(escape(text), self.styles["flag"]))


# --- sections -------------------------------------------------------------------------------------

def _title_page(b: Builder) -> None:
    r = b.record
    case = r["case"]
    b.story.append(Spacer(1, 50 * mm))
    b.story.append(Paragraph(escape(_("Protokoll över samverkansförfarandet")), b.styles["title"]))
    b.story.append(Paragraph(escape(case["diary_number"]), b.styles["subtitle"]))
    b.story.append(Paragraph(escape(case["title"]), b.styles["subtitle"]))
    b.story.append(Spacer(1, 14 * mm))
    employer = sorted({m["user"]["organisation"] for m in r["steering_group"]
                       if m["party"] == "employer" and m["user"] and m["user"].get("organisation")})
    if not employer and case.get("responsible_hr"):
        employer = [case["responsible_hr"].get("organisation") or "–"]
    personnel = sorted({m["union"] or (m["user"] or {}).get("organisation") or "–"
                        for m in r["steering_group"] if m["party"] == "personnel"})
    b.add(facts([
        (_("Diarienummer"), case["diary_number"]),
        (_("Ärende"), case["title"]),
        (_("Förfarandeprofil"), f'{r["legal_basis"]["profile_name"]} ({case["profile_code"]}, v{case["profile_version"]})'),
        (_("Arbetsgivarpart"), employer),
        (_("Personalpart"), personnel),
        (_("Skapat"), when(r["generated_at"])),
        (_("Skapat av"), f'{r["generated_by"]["name"]} ({r["generated_by"].get("role") or "–"})'),
        (_("Kedjans huvud"), f'#{r["audit"]["chain_head"]["seq"]} {r["audit"]["chain_head"]["hash"]}'),
    ]))
    b.story.append(PageBreak())
    b.p(_("Innehåll"), "h1")
    toc = TableOfContents()
    toc.levelStyles = [b.styles["toc1"], b.styles["toc2"]]
    toc.dotsMinLevel = 0
    b.toc = toc
    b.story.append(toc)
    b.story.append(PageBreak())


def _case_section(b: Builder) -> None:
    r = b.record
    case = r["case"]
    lb = r["legal_basis"]
    b.heading(_("Ärendet och rättslig grund"))
    b.add(facts([
        (_("Diarienummer"), case["diary_number"]),
        (_("Rubrik"), case["title"]),
        (_("Beskrivning"), case["description"]),
        (_("Typ av förändring"), label("change_kind", case["change_kind"])),
        (_("Berörd personal"), case["staff_affected"]),
        (_("Kan leda till minskad personal"), case["may_reduce_staff"]),
        (_("Stort projekt"), case["is_large"]),
        (_("Berörda enheter"), case["units"]),
        (_("Planerat beslutsdatum"), case["planned_decision_date"]),
        (_("Beslutsorgan"), case["decision_body"]),
        (_("Brådskande beslut, skäl"), case.get("urgent_reason")),
        (_("Ansvarig HR-handläggare"), _name(case["responsible_hr"])),
        (_("Status"), label("status", case["status"])),
        (_("Aktuellt skede"), next((st["label"] for st in r["stages"] if st["code"] == case["current_stage"]),
                                   case["current_stage"])),
        (_("Registrerat"), when(case["created_at"])),
        (_("Förfarandeprofil"), f'{lb["profile_name"]} ({lb["profile_code"]}, v{lb["profile_version"]})'),
        (_("Rättslig grund"), lb["text"]),
    ]))
    if case["non_compliance"]:
        b.flag(_("AVVIKELSE: ärendet är flaggat för avvikelse från förfarandet."))


def _steering_section(b: Builder) -> None:
    b.heading(_("Styrnings- och uppföljningsgrupp över tid"))
    rows = [[_name(m["user"]), label("party", m["party"]), label("role", m["role"]), m["union"] or (m["user"] or {}).get("organisation"),
             ", ".join(m["units"]), when(m["joined_at"]), when(m["left_at"]) if m["left_at"] else _("pågår")]
            for m in b.record["steering_group"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Namn"), _("Part"), _("Roll"), _("Organisation"), _("Enheter"), _("Från"), _("Till")],
                rows, [0.18, 0.1, 0.13, 0.15, 0.14, 0.15, 0.15]))
    signatories = b.record["signatories"]
    b.p(_("Justerare: %(names)s", names=", ".join(_name(m["user"]) for m in signatories) or "–"), "small")


def _positions(b: Builder, positions: list[dict[str, Any]]) -> None:
    rows = [[label("party", p.get("party")), _name(p.get("author")), when(p.get("at")),
             (p.get("text") or "") + (f"\n({_('Avvikande mening')})" if p.get("dissent") else "")]
            for p in positions]
    b.add(table([_("Part"), _("Av"), _("När"), _("Ståndpunkt")], rows, [0.12, 0.18, 0.15, 0.55]))


def _stages_section(b: Builder) -> None:
    b.heading(_("Skeden"))
    for stage in b.record["stages"]:
        b.heading(stage["label"], 2)
        if not stage["rounds"]:
            b.empty(_("Skedet har inte påbörjats."))
        for rnd in stage["rounds"]:
            b.add(facts([
                (_("Omgång"), f'{rnd.get("round")} ({label("status", rnd.get("status"))})'),
                (_("Påbörjat"), f'{when(rnd.get("started_at"))} {_name(rnd.get("started_by"))}'
                 if rnd.get("started_at") else "–"),
                (_("Avslutat"), f'{when(rnd.get("completed_at"))} {_name(rnd.get("completed_by"))}'
                 if rnd.get("completed_at") else _("pågår")),
                (_("Innehåll"), _content(rnd.get("content"))),
            ]))
            if rnd.get("frozen_at"):
                b.p(_("Omgången frystes %(at)s vid återöppning: %(reason)s", at=when(rnd["frozen_at"]),
                      reason=rnd.get("reopen_reason") or "–"), "small")
            if rnd.get("positions"):
                _positions(b, rnd["positions"])
        comments = [[_name(c["author"]), when(c["at"]), c["text"] if c["text"] is not None else _("[borttagen]")]
                    for c in stage.get("comments", [])]
        if comments:
            b.p(_("Kommentarer"), "small")
            b.add(table([_("Av"), _("När"), _("Kommentar")], comments, [0.2, 0.16, 0.64]))


def _meetings_section(b: Builder) -> None:
    b.heading(_("Möten och protokoll"))
    meetings = b.record["meetings"]
    if not meetings:
        b.empty()
    for m in meetings:
        b.heading(f'{m["title"]} ({when(m["starts_at"])})', 2)
        b.add(facts([
            (_("Tid"), f'{when(m["starts_at"])} – {when(m.get("ends_at"))}'),
            (_("Plats"), m.get("place")),
            (_("Skeden"), [s for s in m.get("stage_labels", m.get("stages", []))]),
            (_("Deltagare"), [f'{_name(a)} ({label("party", a.get("party"))})' for a in m.get("attendees", [])]),
            (_("Inställt"), when(m["cancelled_at"]) if m.get("cancelled_at") else _("Nej")),
        ]))
        for v in m.get("minutes", []):
            b.p(_("Protokoll version %(n)s, SHA-256 %(hash)s", n=v["version"], hash=v["sha256"]), "small")
            status = label("minutes", v.get("status")) if v.get("current") else _("Tidigare versioner")
            b.p(_("Skapad %(at)s av %(by)s; status: %(status)s", at=when(v.get("created_at")),
                  by=_name(v.get("created_by")), status=status), "small")
            if v.get("content"):
                b.add(facts([(_("Innehåll"), v["content"])]))
            rows = [[label("party", s.get("party")), _name(s.get("signatory")),
                     _("justerat") if s["decision"] == "approved" else _("vägrat"),
                     when(s.get("at")), s.get("objection") or ("" if s["decision"] == "approved" else "–"),
                     _("ogiltig") if s.get("voided") else ""]
                    for s in v.get("signatures", [])]
            if rows:
                b.add(table([_("Part"), _("Justerare"), _("Beslut"), _("När"), _("Invändning"), _("Giltighet")],
                            rows, [0.11, 0.17, 0.1, 0.15, 0.35, 0.12], max_lines=3))
            else:
                b.empty(_("Inga justeringar."))
            for s in v.get("signatures", []):
                if s.get("objection"):
                    b.p(_("Invändning från %(name)s mot version %(n)s: %(text)s", name=_name(s.get("signatory")),
                          n=v["version"], text=s["objection"]))


def _counter_section(b: Builder) -> None:
    b.heading(_("Motförslag och svar"))
    rows = [[c.get("stage_code"), _name(c.get("author")), when(c.get("created_at")),
             f'{c.get("title")}\n{c.get("body") or ""}',
             (c.get("answer") or _("obesvarat")) if not c.get("withdrawn_at") else _("återtaget"),
             f'{when(c.get("answered_at"))} {_name(c.get("answered_by"))}' if c.get("answered_at") else "–"]
            for c in b.record["counter_proposals"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Skede"), _("Av"), _("När"), _("Motförslag"), _("Svar"), _("Besvarat")], rows,
                [0.1, 0.13, 0.12, 0.3, 0.23, 0.12]))


def _risk_section(b: Builder) -> None:
    b.heading(_("Risk- och konsekvensanalys"))
    items = b.record["risk_assessments"]
    if not items:
        b.empty()
    for ra in items:
        b.add(facts([
            (_("Sammanfattning"), ra.get("summary")),
            (_("Upprättad"), f'{when(ra.get("created_at"))} {_name(ra.get("created_by"))}'),
            (_("Medundertecknad"), f'{when(ra.get("cosigned_at"))} {_name(ra.get("cosigned_by"))}'
             if ra.get("cosigned_at") else _("Nej")),
            (_("Skäl för undantag"), ra.get("waiver_reason")),
            (_("Handling"), ra.get("document_id")),
        ]))
        rows = [[_name(o.get("author")), when(o.get("created_at")), o.get("body")] for o in ra.get("objections", [])]
        if rows:
            b.p(_("Invändningar"), "h2")
            b.add(table([_("Av"), _("När"), _("Invändning")], rows, [0.2, 0.15, 0.65]))


def _deadline_section(b: Builder) -> None:
    b.heading(_("Tidsfrister och avvikelser"))
    rows = []
    for d in b.record["deadlines"]:
        state = _("uppfylld") if d["met"] else (_("ej uppfylld") if d["met"] is False else _("ej avgjord"))
        if d["overdue"]:
            state += " · " + _("försenad")
        rows.append([d["label"], d["due"] or "–", d.get("actual") or "–", state, d["basis"]])
    if rows:
        b.add(table([_("Frist"), _("Beräknad"), _("Faktisk"), _("Läge"), _("Grund")], rows,
                    [0.22, 0.12, 0.14, 0.16, 0.36]))
    else:
        b.empty(_("Inga tidsfrister beräknade."))
    flags = b.record["non_compliance"]
    b.heading(_("Avvikelser"), 2)
    if not flags:
        b.empty(_("Inga avvikelser registrerade."))
    for f in flags:
        b.flag(_("AVVIKELSE: %(what)s", what=f.get("description") or f.get("kind")))
        b.p(_("Skäl: %(reason)s · %(who)s · %(at)s", reason=f.get("reason") or "–", who=_name(f.get("actor")),
              at=when(f.get("at"))), "small")


def _end_section(b: Builder) -> None:
    r = b.record
    b.heading(_("Förhandlingarnas avslutande"))
    end = r["end_of_negotiations"]
    if end:
        b.add(facts([
            (_("Avslutad"), when(end.get("ended_at"))),
            (_("Sätt"), _end_mode(end.get("mode"))),
            (_("Skriftligt besked från"), label("party", end.get("notice_by")) if end.get("notice_by") else None),
            (_("Registrerad av"), _name(end.get("recorded_by"))),
            (_("Anteckning"), end.get("note")),
        ]))
        if end.get("positions"):
            _positions(b, end["positions"])
    else:
        b.empty()
    b.heading(_("Central förhandling"), 2)
    rows = [[f'{when(c["requested_at"])}\n{_name(c["requested_by"])}', _("i tid") if c["timely"] else _("för sent"),
             c["window_ends_on"] or "–", _("pågår") if c["pending"] else when(c["ended_at"]),
             c.get("outcome") or c.get("note") or ""]
            for c in r["central_negotiation"]]
    if rows:
        b.add(table([_("Begärd"), _("Inom fristen"), _("Fristens sista dag"), _("Avslutad"), _("Utfall")], rows,
                    [0.22, 0.12, 0.16, 0.16, 0.34]))
    else:
        b.empty(_("Ingen central förhandling begärd."))


def _end_mode(mode: str | None) -> str:
    labels = {"agreement": _("enighet"), "disagreement": _("oenighet"),
              "written_notice": _("skriftligt besked om avslut")}
    return labels.get(mode or "", mode or "–")


def _decision_section(b: Builder) -> None:
    b.heading(_("Beslut"))
    d = b.record["decision"]
    if not d:
        b.empty()
        return
    b.add(facts([
        (_("Beslutsorgan"), d.get("body")),
        (_("Beslutsdatum"), d.get("decided_on")),
        (_("Referens (§)"), d.get("reference")),
        (_("Registrerat"), f'{when(d.get("registered_at"))} {_name(d.get("registered_by"))}'),
        (_("Brådskande beslut"), d.get("urgent")),
        (_("Skäl för åsidosättande"), d.get("override_reason")),
    ]))
    if d.get("override_reason"):
        b.flag(_("AVVIKELSE: beslutet registrerades före tidsfristen."))


def _evaluation_section(b: Builder) -> None:
    b.heading(_("Utvärdering"))
    e = b.record["evaluation"]
    if not e:
        b.empty()
        return
    b.add(facts([
        (_("Förfaller"), e.get("due")),
        (_("Rapport"), e.get("report")),
        (_("Godkänd"), f'{when(e.get("approved_at"))} {_name(e.get("approved_by"))}' if e.get("approved_at") else _("Nej")),
    ]))


def _reopen_section(b: Builder) -> None:
    b.heading(_("Återöppningar"))
    rows = [[x.get("stage_label") or x.get("stage"), when(x.get("at")), _name(x.get("by")), x.get("reason")]
            for x in b.record["reopenings"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Skede"), _("När"), _("Av"), _("Skäl")], rows, [0.18, 0.16, 0.18, 0.48]))


def _documents_section(b: Builder) -> None:
    b.heading(_("Handlingar"))
    rows = []
    for d in b.record["documents"]:
        title = d["title"] if d.get("title") is not None else _("[sekretess: namnet visas inte]")
        for v in d.get("versions", []):
            rows.append([title, d["classification"], d.get("legal_basis") or "", v["version"],
                         v.get("filename") if v.get("filename") is not None else "–",
                         v.get("size"), v.get("sha256") or _("raderad"), when(v.get("uploaded_at"))])
    if not rows:
        b.empty()
        return
    b.add(table([_("Handling"), _("Klass"), _("Sekretessgrund"), _("Ver."), _("Fil"), _("Byte"), _("SHA-256"),
                 _("Uppladdad")], rows, [0.15, 0.08, 0.12, 0.05, 0.12, 0.08, 0.27, 0.13], max_lines=6))


def _audit_section(b: Builder) -> None:
    audit = b.record["audit"]
    b.heading(_("Granskningslogg"))
    b.p(_("%(n)d händelser i ärendet. Nyttolasten kortas här; JSON- och CSV-exporten har den i sin helhet.",
          n=audit["event_count"]), "small")
    rows = []
    for e in audit["events"]:
        payload = _("[dold]") if e["payload_redacted"] else _compact(e["payload"])
        actor = e["actor_name"] or "–"
        rows.append([e["seq"], e["occurred_at"][:19].replace("T", " "), actor, e["action"],
                     f'{e["target_type"] or ""} {e["target_id"] or ""}', payload,
                     e["hash"][:16] + ("" if e["hash_ok"] else " !")])
    # Two lines a row at most: 10,000 events stay a few hundred pages and lay out in seconds. The
    # number, the time (to the second) and the short hash each fit on one line; the payload keeps
    # enough width for its first keys.
    b.tail.extend(table([_("Nr"), _("Tid (UTC)"), _("Aktör"), _("Händelse"), _("Mål"), _("Data"), _("Hash")], rows,
                [0.065, 0.175, 0.12, 0.15, 0.09, 0.23, 0.17], max_lines=2))


def _compact(payload: Any) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _verification_section(b: Builder) -> None:
    audit = b.record["audit"]
    v = audit["verification"]
    b.heading(_("Verifiering"))
    g = v["global"]
    glob = (_("utförd: %(result)s (%(message)s)", result=_("hel") if g["ok"] else _("BRUTEN"), message=g["message"])
            if g["performed"] else _("inte utförd (%(message)s)", message=g["message"]))
    cp = audit["checkpoint"]
    b.add(facts([
        (_("Ärendets händelser"), _("%(n)d kontrollerade, %(result)s", n=v["case_events_checked"],
                                     result=_("alla hashar stämmer") if v["case_events_ok"] else _("FEL i hashar"))),
        (_("Hela kedjan"), glob),
        (_("Kedjans huvud"), f'#{audit["chain_head"]["seq"]} {audit["chain_head"]["hash"]}'),
        (_("Senaste kontrollpunkt"), f'#{cp["seq"]} {cp["head_hash"]} ({when(cp["signed_at"])})' if cp else _("ingen")),
        (_("Nyckel"), cp["key_id"] if cp else "–"),
        (_("Signatur (Ed25519)"), cp["signature"] if cp else "–"),
    ]))
    if not v["case_events_ok"]:
        b.flag(_("AVVIKELSE: minst en händelse stämmer inte med sin hash."))


# Every section but the audit table; the audit trail is last so that nothing's page depends on it.
SECTIONS = ("_case_section", "_steering_section", "_stages_section", "_meetings_section", "_counter_section",
            "_risk_section", "_deadline_section", "_end_section", "_decision_section", "_evaluation_section",
            "_reopen_section", "_documents_section", "_verification_section", "_audit_section")


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
        _title_page(b)
        for name in SECTIONS:
            globals()[name](b)
        diary = record["case"]["diary_number"]
        head = record["audit"]["chain_head"]
        footer_left = _("Kedjans huvud #%(seq)s %(hash)s", seq=head["seq"], hash=head["hash"])
        page_word = _("sida %(page)d av %(pages)d")
        header = f'{diary} · {_("Protokoll över samverkansförfarandet")}'
        title = f"{diary} {record['case']['title']}"

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

    def make_doc(out: io.BytesIO) -> RecordDoc:
        doc = RecordDoc(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=18 * mm,
                        bottomMargin=18 * mm, title=title, author=record["generated_by"]["name"],
                        subject=_("Protokoll över samverkansförfarandet"), creator="Samverkan")
        frame = Frame(MARGIN, 16 * mm, CONTENT_W, FRAME_H, id="body", leftPadding=0, rightPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        return doc

    # 1. The front matter alone, until its table of contents settles (the TOC keeps its last entries).
    make_doc(io.BytesIO()).multiBuild(list(b.story))
    for flowable in b.story:
        # Reportlab marks a flowable moved to the next frame and clears the mark only between
        # multiBuild passes (not after the last one); a second build would take it as too large.
        flowable.__dict__.pop("_postponed", None)
    # 2. Everything, once, with that table of contents (build(): no further TOC passes).
    out = io.BytesIO()
    make_doc(out).build([*b.story, *b.tail], canvasmaker=_canvas_class(footer_left, page_word))
    return out.getvalue()
