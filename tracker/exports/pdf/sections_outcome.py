"""The record's sections as PDF flowables (part 2: deadlines and non-compliance, the end of
negotiations, the decision, the evaluation, reopenings, documents, verification, the audit trail)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tracker.exports.labels import label, worded
from tracker.exports.pdf.cells import Builder, facts, local_instant, name_of, table, when
from tracker.exports.pdf.sections import positions
from tracker.i18n import gettext as _


def deadline_section(b: Builder) -> None:
    """Deadlines computed against the actual dates, and every non-compliance."""
    b.heading(_("Tidsfrister och avvikelser"))
    rows = []
    for d in b.record["deadlines"]:
        rows.append([d["label"], d["due"] or "–", d.get("actual") or "–", _state(d), d["basis"]])
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
        what = f.get("description") or label("flag", f.get("kind"))
        if f.get("round"):
            what = _("%(what)s (omgång %(n)d)", what=what, n=f["round"])
        b.flag(_("AVVIKELSE: %(what)s", what=what))
        b.p(_("Skäl: %(reason)s · %(who)s · %(at)s", reason=f.get("reason") or "–", who=name_of(f.get("actor")),
              at=when(f.get("at"))), "small")


def end_section(b: Builder) -> None:
    """The end of negotiations and any central negotiation."""
    r = b.record
    b.heading(_("Förhandlingarnas avslutande"))
    end = r["end_of_negotiations"]
    if end:
        b.add(facts([
            (_("Avslutad"), when(end.get("ended_at"))),
            (_("Sätt"), label("end_mode", end.get("mode"))),
            (_("Skriftligt besked från"), label("party", end.get("notice_by")) if end.get("notice_by") else None),
            (_("Registrerad av"), name_of(end.get("recorded_by"))),
            (_("Anteckning"), end.get("note")),
        ]))
        if end.get("positions"):
            positions(b, end["positions"])
    else:
        b.empty()
    b.heading(_("Central förhandling"), 2)
    rows = [[f'{when(c["requested_at"])}\n{name_of(c["requested_by"])}', _("i tid") if c["timely"] else _("för sent"),
             c["window_ends_on"] or "–", _("pågår") if c["pending"] else when(c["ended_at"]),
             c.get("outcome") or c.get("note") or ""]
            for c in r["central_negotiation"]]
    if rows:
        b.add(table([_("Begärd"), _("Inom fristen"), _("Fristens sista dag"), _("Avslutad"), _("Utfall")], rows,
                    [0.22, 0.12, 0.16, 0.16, 0.34]))
    else:
        b.empty(_("Ingen central förhandling begärd."))


def decision_section(b: Builder) -> None:
    """The decision (flagged when it was registered before its deadline)."""
    b.heading(_("Beslut"))
    d = b.record["decision"]
    if not d:
        b.empty()
        return
    b.add(facts([
        (_("Beslutsorgan"), d.get("body")),
        (_("Beslutsdatum"), d.get("decided_on")),
        (_("Referens (§)"), d.get("reference")),
        (_("Registrerat"), f'{when(d.get("registered_at"))} {name_of(d.get("registered_by"))}'),
        (_("Brådskande beslut"), d.get("urgent")),
        (_("Skäl för åsidosättande"), d.get("override_reason")),
    ]))
    if d.get("override_reason"):
        b.flag(_("AVVIKELSE: beslutet registrerades före tidsfristen."))


def evaluation_section(b: Builder) -> None:
    """The evaluation."""
    b.heading(_("Utvärdering"))
    e = b.record["evaluation"]
    if not e:
        b.empty()
        return
    b.add(facts([
        (_("Förfaller"), e.get("due")),
        (_("Rapport"), e.get("report")),
        (_("Godkänd"),
         f'{when(e.get("approved_at"))} {name_of(e.get("approved_by"))}' if e.get("approved_at") else _("Nej")),
    ]))


def reopen_section(b: Builder) -> None:
    """Reopened stages."""
    b.heading(_("Återöppningar"))
    rows = [[x.get("stage_label") or x.get("stage"), when(x.get("at")), name_of(x.get("by")), x.get("reason")]
            for x in b.record["reopenings"]]
    if not rows:
        b.empty()
        return
    b.add(table([_("Skede"), _("När"), _("Av"), _("Skäl")], rows, [0.18, 0.16, 0.18, 0.48]))
    rounds_section(b)


def _state(d: dict[str, Any]) -> str:
    state = d.get("status_label") or (_("uppfylld") if d["met"] else _("ej avgjord"))
    if d.get("overridden"):
        state += " · " + _("åsidosatt")
    return str(state)


def rounds_section(b: Builder) -> None:
    """Every round with the dates its deadlines count from and its deadlines (earlier ones frozen)."""
    for r in b.record.get("rounds") or ():
        frozen = _("fryst %(at)s", at=when(r["frozen_at"])) if r["frozen_at"] else _("pågår")
        b.heading(_("Omgång %(n)d (%(state)s)", n=r["round"], state=frozen), 2)
        b.add(facts([
            (_("Började"), (when(r["began_at"]) + (f' · {r["reopened_stage_label"]}: {r["reason"] or "–"}'
                                                  if r["reopened_stage_label"] else "")) if r["began_at"] else "–"),
            (_("Förhandlingsframställan lämnad"), when(r["proposal_delivered_at"])),
            (_("Första mötet"), when(r["first_meeting_at"])),
            (_("Förhandlingen avslutad"), when(r["negotiation_ended_at"])
             + (f' · {r["end_mode_label"]}' if r["end_mode_label"] else "")),
            (_("Beslut"), r["decision_on"] or "–"),
        ]))
        rows = [[d["label"], d["due"] or "–", _state(d), d["basis"]] for d in r["deadlines"]]
        if rows:
            b.add(table([_("Frist"), _("Beräknad"), _("Läge"), _("Grund")], rows, [0.26, 0.14, 0.18, 0.42]))


def documents_section(b: Builder) -> None:
    """The document list with hashes and classes (secret names hidden)."""
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


def audit_section(b: Builder) -> None:
    """The case's audit trail (laid out last, once)."""
    audit = b.record["audit"]
    b.heading(_("Granskningslogg"))
    b.p(_("%(n)d händelser i ärendet. Nyttolasten kortas här; JSON- och CSV-exporten har den i sin helhet.",
          n=audit["event_count"]), "small")
    rows = []
    for e in audit["events"]:
        payload = _("[dold]") if e["payload_redacted"] else _compact(e["payload"])
        actor = e["actor_name"] or "–"
        at = local_instant(datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00")))
        rows.append([e["seq"], at, actor, e["action"],
                     f'{e["target_type"] or ""} {e["target_id"] or ""}', payload,
                     e["hash"][:16] + ("" if e["hash_ok"] else " !")])
    # Two lines a row at most: 10,000 events stay a few hundred pages and lay out in seconds. The
    # number, the time (to the second) and the short hash each fit on one line; the payload keeps
    # enough width for its first keys.
    b.tail.extend(table([_("Nr"), _("Tid"), _("Aktör"), _("Händelse"), _("Mål"), _("Data"), _("Hash")], rows,
                [0.065, 0.175, 0.12, 0.15, 0.09, 0.23, 0.17], max_lines=2))


def _compact(payload: Any) -> str:
    return json.dumps(worded(payload), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _witness_text(witness: dict[str, Any]) -> str:
    """Which checkpoint a witness cosigned, and when."""
    if witness["tree_size"] is None:
        return _("har inte kontrasignerat någon kontrollpunkt")
    text = _("kontrasignerade %(n)d händelser %(when)s", n=witness["tree_size"], when=when(witness["cosigned_at"]))
    return text if witness["covers_head"] else text + " " + _("(inte kedjans huvud)")


def verification_section(b: Builder) -> None:
    """The verification result, chain head and last checkpoint."""
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
    witnesses = audit.get("witnesses") or []
    if witnesses:
        b.add(facts([(_("Vittne %(name)s", name=w["name"]), _witness_text(w)) for w in witnesses]))
    if not v["case_events_ok"]:
        b.flag(_("AVVIKELSE: minst en händelse stämmer inte med sin hash."))
