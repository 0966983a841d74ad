"""The decision statement: the text the decision paper must carry about the cooperation procedure.

PURE: facts in (gathered by `tracker.procedure.statement_data.statement_facts`), text out, in the
current gettext language (the caller picks it with `force_locale`). No database, no clock.

"The cooperation procedure was conducted from … to …; meetings …; minutes approved on … by …;
disagreement recorded …; central negotiation …; deviations …", with the diary number and the
evidence references (document hashes, minutes version hashes, audit event sequence numbers).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date

from tracker.i18n import gettext as _
from tracker.procedure.labels import deadline_label, end_mode_label, stage_label, statement_event_label


@dataclass(frozen=True)
class MeetingFact:
    title: str
    on: date
    stages: tuple[str, ...] = ()


@dataclass(frozen=True)
class MinutesFact:
    meeting_title: str
    version: int
    sha256: str
    approved_on: date | None
    approvers: tuple[tuple[str, str], ...] = ()  # (name, party code)


@dataclass(frozen=True)
class DissentFact:
    stage: str
    party: str


@dataclass(frozen=True)
class CentralFact:
    requested_on: date
    timely: bool
    ended_on: date | None
    outcome: str


@dataclass(frozen=True)
class DeviationFact:
    code: str
    reason: str
    on: date
    by: str


@dataclass(frozen=True)
class DocumentRef:
    title: str
    version: int
    sha256: str


@dataclass(frozen=True)
class AuditRef:
    action: str
    seq: int


@dataclass(frozen=True)
class StatementFacts:
    """Everything the statement says, read before it is composed."""

    diary_number: str
    title: str
    profile_name: str
    started_on: date | None
    ended_on: date | None
    end_mode: str | None
    notice_by: str | None = None
    meetings: tuple[MeetingFact, ...] = ()
    minutes: tuple[MinutesFact, ...] = ()
    dissents: tuple[DissentFact, ...] = ()
    central: tuple[CentralFact, ...] = ()
    deviations: tuple[DeviationFact, ...] = ()
    urgent_reason: str | None = None
    urgent_on: date | None = None
    rounds: int = 1
    documents: tuple[DocumentRef, ...] = ()
    audit: tuple[AuditRef, ...] = ()


@dataclass(frozen=True)
class Statement:
    """The composed statement: a heading, its paragraphs and the evidence lines."""

    heading: str
    paragraphs: tuple[str, ...]
    evidence_heading: str
    evidence: tuple[str, ...]

    def text(self) -> str:
        """Plain text for the municipality's decision system (UTF-8, one paragraph per block)."""
        parts = [self.heading, "", *[p + "\n" for p in self.paragraphs], self.evidence_heading,
                 *[f"- {line}" for line in self.evidence]]
        return "\n".join(parts).rstrip() + "\n"


def _d(value: date | None) -> str:
    if value is None:
        return "–"
    try:
        return format_date(value, "long")
    except Exception:  # outside an app or request context: ISO
        return value.isoformat()


def _party(code: str) -> str:
    return _("arbetsgivaren") if code == "employer" else _("personalen") if code == "personnel" else code


def _period(f: StatementFacts) -> str:
    if f.ended_on is None:
        return _("Samverkansförfarandet i ärende %(diary)s (%(title)s) har påbörjats %(start)s och är ännu inte "
                 "avslutat.", diary=f.diary_number, title=f.title, start=_d(f.started_on))
    return _("Samverkansförfarandet i ärende %(diary)s (%(title)s) har genomförts från %(start)s till %(end)s "
             "enligt förfarandeprofilen %(profile)s.", diary=f.diary_number, title=f.title,
             start=_d(f.started_on), end=_d(f.ended_on), profile=f.profile_name)


def _meetings(f: StatementFacts) -> str:
    if not f.meetings:
        return _("Inga förhandlingsmöten har hållits.")
    items = []
    for m in f.meetings:
        stages = ", ".join(stage_label(s) for s in m.stages)
        items.append(f"{_d(m.on)} ({m.title}{'; ' + stages if stages else ''})")
    return _("Möten: %(list)s.", list="; ".join(items))


def _minutes(f: StatementFacts) -> str:
    if not f.minutes:
        return _("Inga protokoll har justerats.")
    items = []
    for m in f.minutes:
        if m.approved_on is None:
            items.append(_("protokollet från %(meeting)s (version %(n)d) är inte justerat",
                           meeting=m.meeting_title, n=m.version))
            continue
        names = ", ".join(f"{name} ({_party(party)})" for name, party in m.approvers) or "–"
        items.append(_("protokollet från %(meeting)s (version %(n)d) justerat %(day)s av %(names)s",
                       meeting=m.meeting_title, n=m.version, day=_d(m.approved_on), names=names))
    return _("Protokoll: %(list)s.", list="; ".join(items))


def _outcome(f: StatementFacts) -> str:
    if f.end_mode is None:
        return _("Förhandlingens avslutning är inte registrerad.")
    text = _("Förhandlingen avslutades: %(mode)s.", mode=end_mode_label(f.end_mode).lower())
    if f.notice_by:
        text += " " + _("Skriftligt besked gavs av %(party)s.", party=_party(f.notice_by))
    if f.dissents:
        items = "; ".join(f"{stage_label(d.stage)}: {_party(d.party)}" for d in f.dissents)
        text += " " + _("Avvikande mening har antecknats (%(list)s).", list=items)
    elif f.end_mode != "agreement":
        text += " " + _("Parterna var inte eniga.")
    else:
        text += " " + _("Ingen avvikande mening har antecknats.")
    return text


def _central(f: StatementFacts) -> str:
    if not f.central:
        return _("Central förhandling har inte begärts.")
    items = []
    for c in f.central:
        if not c.timely:
            items.append(_("begäran %(day)s gjordes för sent och gav ingen rätt till central förhandling",
                           day=_d(c.requested_on)))
        elif c.ended_on is None:
            items.append(_("begärd %(day)s, pågår", day=_d(c.requested_on)))
        else:
            items.append(_("begärd %(day)s, avslutad %(end)s: %(outcome)s", day=_d(c.requested_on),
                           end=_d(c.ended_on), outcome=c.outcome))
    return _("Central förhandling: %(list)s.", list="; ".join(items))


def _deviations(f: StatementFacts) -> str:
    items = []
    if f.urgent_reason:
        items.append(_("beslut före avslutad förhandling på grund av synnerliga skäl (registrerat %(day)s): "
                       "%(reason)s", day=_d(f.urgent_on), reason=f.urgent_reason))
    for d in f.deviations:
        items.append(_("%(deadline)s åsidosatt %(day)s av %(name)s: %(reason)s", deadline=deadline_label(d.code),
                       day=_d(d.on), name=d.by, reason=d.reason))
    if f.rounds > 1:
        items.append(_("förfarandet har återupptagits (%(n)d omgångar)", n=f.rounds))
    if not items:
        return _("Avvikelser: inga.")
    return _("Avvikelser: %(list)s.", list="; ".join(items))


def _evidence(f: StatementFacts) -> tuple[str, ...]:
    lines = [_("Diarienummer %(diary)s", diary=f.diary_number)]
    lines += [_("Handling %(title)s, version %(n)d, SHA-256 %(hash)s", title=d.title, n=d.version, hash=d.sha256)
              for d in f.documents]
    lines += [_("Protokoll från %(meeting)s, version %(n)d, SHA-256 %(hash)s", meeting=m.meeting_title,
                n=m.version, hash=m.sha256) for m in f.minutes]
    if f.audit:
        lines.append(_("Händelser i granskningsloggen: %(list)s",
                       list=", ".join(f"#{a.seq} ({statement_event_label(a.action)})" for a in f.audit)))
    return tuple(lines)


def compose(facts: StatementFacts) -> Statement:
    """The statement the decision paper carries, in the current language."""
    return Statement(
        heading=_("Redovisning av samverkansförfarandet (%(diary)s)", diary=facts.diary_number),
        paragraphs=(_period(facts), _meetings(facts), _minutes(facts), _outcome(facts), _central(facts),
                    _deviations(facts)),
        evidence_heading=_("Underlag"),
        evidence=_evidence(facts),
    )
