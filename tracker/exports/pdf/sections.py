"""The record's sections as PDF flowables, one function per section (part 1: the case, the steering
group, the stages, meetings and minutes, counter-proposals, the risk assessment)."""
from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from tracker.exports.labels import label
from tracker.exports.pdf.cells import Builder, content_text, facts, name_of, number, table, when
from tracker.i18n import gettext as _
from tracker.i18n import language_name


def title_page(b: Builder) -> None:
    """The title page with the parties and the chain head, then the table of contents."""
    r = b.record
    case = r["case"]
    b.story.append(Spacer(1, 50 * mm))
    b.p(_("Protokoll över samverkansförfarandet"), "title")
    b.p(case["diary_number"], "subtitle")
    b.p(case["title"], "subtitle")
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
        (_("Förfarandeprofil"),
         f'{r["legal_basis"]["profile_name"]} ({case["profile_code"]}, v{case["profile_version"]})'),
        (_("Arbetsgivarpart"), employer),
        (_("Personalpart"), personnel),
        (_("Skapat"), when(r["generated_at"])),
        (_("Protokollets språk"), language_name(r.get("language") or "sv")),
        (_("Skapat av"), f'{r["generated_by"]["name"]} ({r["generated_by"].get("role") or "–"})'),
        (_("Kedjans huvud"), f'#{r["audit"]["chain_head"]["seq"]} {r["audit"]["chain_head"]["hash"]}'),
    ]))
    b.story.append(PageBreak())
    b.p(_("Innehåll"), "h1")
    toc = TableOfContents()
    toc.levelStyles = [b.styles["toc1"], b.styles["toc2"]]
    toc.dotsMinLevel = 0
    b.story.append(toc)
    b.story.append(PageBreak())


def case_section(b: Builder) -> None:
    """The case and its legal basis."""
    r = b.record
    case = r["case"]
    lb = r["legal_basis"]
    b.heading(_("Ärendet och rättslig grund"))
    b.add(facts([
        (_("Diarienummer"), case["diary_number"]),
        (_("Rubrik"), case["title"]),
        (_("Beskrivning"), case["description"]),
        (_("Typ av förändring"), label("change_kind", case["change_kind"])),
        (_("Berörd personal"), number(case["staff_affected"])),
        (_("Kan leda till minskad personal"), case["may_reduce_staff"]),
        (_("Stort ärende"), case["is_large"]),
        (_("Berörda enheter"), case["units"]),
        (_("Planerat beslutsdatum"), when(case["planned_decision_date"])),
        (_("Beslutsorgan"), case["decision_body"]),
        (_("Brådskande beslut, skäl"), case.get("urgent_reason")),
        (_("Ansvarig HR-handläggare"), name_of(case["responsible_hr"])),
        (_("Status"), label("status", case["status"])),
        (_("Aktuellt skede"), next((st["label"] for st in r["stages"] if st["code"] == case["current_stage"]),
                                   case["current_stage"])),
        (_("Registrerat"), when(case["created_at"])),
        (_("Förfarandeprofil"), f'{lb["profile_name"]} ({lb["profile_code"]}, v{lb["profile_version"]})'),
        (_("Rättslig grund"), lb["text"]),
    ]))
    if case["non_compliance"]:
        b.flag(_("AVVIKELSE: ärendet är flaggat för avvikelse från förfarandet."))


def steering_section(b: Builder) -> None:
    """The steering group over time, former members included."""
    b.heading(_("Styrnings- och uppföljningsgrupp över tid"))
    rows = [[name_of(m["user"]), label("party", m["party"]), label("role", m["role"]),
             m["union"] or (m["user"] or {}).get("organisation"),
             ", ".join(m["units"]), when(m["joined_at"]), when(m["left_at"]) if m["left_at"] else _("pågår")]
            for m in b.record["steering_group"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Namn"), _("Part"), _("Roll"), _("Organisation"), _("Enheter"), _("Från"), _("Till")],
                rows, [0.18, 0.1, 0.13, 0.15, 0.14, 0.15, 0.15]))
    signatories = b.record["signatories"]
    b.p(_("Justerare: %(names)s", names=", ".join(name_of(m["user"]) for m in signatories) or "–"), "small")


def positions(b: Builder, entries: list[dict[str, Any]]) -> None:
    """A table of the parties' positions (a stage round's, or the final ones)."""
    rows = [[label("party", p.get("party")), name_of(p.get("author")), when(p.get("at")),
             (p.get("text") or "") + (f"\n({_('Avvikande mening')})" if p.get("dissent") else "")]
            for p in entries]
    b.add(table([_("Part"), _("Av"), _("När"), _("Ståndpunkt")], rows, [0.12, 0.18, 0.15, 0.55]))


def stages_section(b: Builder) -> None:
    """Every stage with each of its rounds, positions and comments."""
    b.heading(_("Skeden"))
    for stage in b.record["stages"]:
        b.heading(stage["label"], 2)
        if not stage["rounds"]:
            b.empty(_("Skedet har inte påbörjats."))
        for rnd in stage["rounds"]:
            b.add(facts([
                (_("Omgång"), f'{rnd.get("round")} ({label("status", rnd.get("status"))})'),
                (_("Påbörjat"), f'{when(rnd.get("started_at"))} {name_of(rnd.get("started_by"))}'
                 if rnd.get("started_at") else "–"),
                (_("Avslutat"), f'{when(rnd.get("completed_at"))} {name_of(rnd.get("completed_by"))}'
                 if rnd.get("completed_at") else _("pågår")),
                (_("Innehåll"), content_text(rnd.get("content"))),
            ]))
            if rnd.get("frozen_at"):
                b.p(_("Omgången frystes %(at)s vid återöppning: %(reason)s", at=when(rnd["frozen_at"]),
                      reason=rnd.get("reopen_reason") or "–"), "small")
            if rnd.get("positions"):
                positions(b, rnd["positions"])
        comments = [[name_of(c["author"]), when(c["at"]), c["text"] if c["text"] is not None else _("[borttagen]")]
                    for c in stage.get("comments", [])]
        if comments:
            b.p(_("Kommentarer"), "small")
            b.add(table([_("Av"), _("När"), _("Kommentar")], comments, [0.2, 0.16, 0.64]))


def meetings_section(b: Builder) -> None:
    """Meetings and every minutes version with approvals and refusals."""
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
            (_("Deltagare"), [f'{name_of(a)} ({label("party", a.get("party"))})' for a in m.get("attendees", [])]),
            (_("Inställt"), when(m["cancelled_at"]) if m.get("cancelled_at") else _("Nej")),
        ]))
        for v in m.get("minutes", []):
            b.p(_("Protokoll version %(n)s, SHA-256 %(hash)s", n=v["version"], hash=v["sha256"]), "small")
            status = label("minutes", v.get("status")) if v.get("current") else _("Tidigare versioner")
            b.p(_("Skapad %(at)s av %(by)s; status: %(status)s", at=when(v.get("created_at")),
                  by=name_of(v.get("created_by")), status=status), "small")
            if v.get("content"):
                b.add(facts([(_("Innehåll"), v["content"])]))
            rows = [[label("party", s.get("party")), name_of(s.get("signatory")),
                     label("signature", s["decision"]),
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
                    b.p(_("Invändning från %(name)s mot version %(n)s: %(text)s", name=name_of(s.get("signatory")),
                          n=v["version"], text=s["objection"]))


def counter_section(b: Builder) -> None:
    """Counter-proposals and their answers."""
    b.heading(_("Motförslag och svar"))
    rows = [[c.get("stage_code"), name_of(c.get("author")), when(c.get("created_at")),
             f'{c.get("title")}\n{c.get("body") or ""}',
             (c.get("answer") or _("obesvarat")) if not c.get("withdrawn_at") else _("återtaget"),
             f'{when(c.get("answered_at"))} {name_of(c.get("answered_by"))}' if c.get("answered_at") else "–"]
            for c in b.record["counter_proposals"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Skede"), _("Av"), _("När"), _("Motförslag"), _("Svar"), _("Besvarat")], rows,
                [0.1, 0.13, 0.12, 0.3, 0.23, 0.12]))


def risk_section(b: Builder) -> None:
    """The risk assessment and objections to it."""
    b.heading(_("Risk- och konsekvensanalys"))
    items = b.record["risk_assessments"]
    if not items:
        b.empty()
    for ra in items:
        b.add(facts([
            (_("Sammanfattning"), ra.get("summary")),
            (_("Upprättad"), f'{when(ra.get("created_at"))} {name_of(ra.get("created_by"))}'),
            (_("Medundertecknad"), f'{when(ra.get("cosigned_at"))} {name_of(ra.get("cosigned_by"))}'
             if ra.get("cosigned_at") else _("Nej")),
            (_("Skäl för undantag"), ra.get("waiver_reason")),
            (_("Handling"), ra.get("document_id")),
        ]))
        rows = [[name_of(o.get("author")), when(o.get("created_at")), o.get("body")] for o in ra.get("objections", [])]
        if rows:
            b.p(_("Invändningar"), "h2")
            b.add(table([_("Av"), _("När"), _("Invändning")], rows, [0.2, 0.15, 0.65]))
