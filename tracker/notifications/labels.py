"""The words of notifications, rendered from their code and parameters in the reader's language.

A notification stores its kind and its parameters (diary number, title, meeting, version...),
never a sentence: `message(kind, params)` builds it whenever it is shown or mailed, so an English
reader reads English and a Swedish reader Swedish, whoever caused it. Older rows converted by
migration 0005 may lack some parameters; every sentence still renders (a shorter form).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import format_date
from flask_babel.speaklater import LazyString

from tracker.auth.labels import role_labels
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.i18n import locale_for
from tracker.notifications.models import NotificationKind
from tracker.procedure.labels import deadline_label
from tracker.procedure.stages import stage_label

SUBJECTS: dict[NotificationKind, LazyString] = {
    NotificationKind.MEMBER_ADDED: _l("Du har lagts till i en styrnings- och uppföljningsgrupp"),
    NotificationKind.STAGE_CHANGED: _l("Ett skede har ändrats"),
    NotificationKind.MINUTES_AWAITING_APPROVAL: _l("Protokoll väntar på din justering"),
    NotificationKind.MINUTES_REFUSED: _l("Ett protokoll har inte justerats"),
    NotificationKind.COUNTER_PROPOSAL_SUBMITTED: _l("Ett motförslag väntar på ditt svar"),
    NotificationKind.CENTRAL_NEGOTIATION_REQUESTED: _l("Central förhandling har begärts"),
    NotificationKind.CENTRAL_WINDOW_OPEN: _l("Central förhandling kan begäras"),
    NotificationKind.DECISION_POSSIBLE: _l("Beslutet kan registreras"),
    NotificationKind.RISK_AWAITING_COSIGN: _l("Risk- och konsekvensanalysen väntar på din underskrift"),
    NotificationKind.RISK_COSIGNED: _l("Risk- och konsekvensanalysen är underskriven"),
    NotificationKind.DEADLINE_SOON: _l("En tidsfrist närmar sig"),
    NotificationKind.EVALUATION_OVERDUE: _l("Utvärderingen är försenad"),
    NotificationKind.URGENT_NEGOTIATION: _l("Brådskande beslut: förhandlingen ska hållas"),
    NotificationKind.DECISION_MAKER_ASSIGNED: _l("Du har utsetts till beslutsfattare i ett ärende"),
    NotificationKind.ROLE_GRANTED: _l("En roll med åtkomst till ärenden har tilldelats"),
    NotificationKind.WITNESS_PROBLEM: _l("Ett vittne har inte kontrasignerat granskningsloggen"),
}

# The kinds as a person names them (the list's filter).
KIND_LABELS: dict[NotificationKind, LazyString] = {
    NotificationKind.MEMBER_ADDED: _l("Tillagd i styrnings- och uppföljningsgrupp"),
    NotificationKind.STAGE_CHANGED: _l("Skede ändrat"),
    NotificationKind.MINUTES_AWAITING_APPROVAL: _l("Protokoll att justera"),
    NotificationKind.MINUTES_REFUSED: _l("Protokoll inte justerat"),
    NotificationKind.COUNTER_PROPOSAL_SUBMITTED: _l("Motförslag att besvara"),
    NotificationKind.CENTRAL_NEGOTIATION_REQUESTED: _l("Central förhandling begärd"),
    NotificationKind.CENTRAL_WINDOW_OPEN: _l("Central förhandling kan begäras"),
    NotificationKind.DECISION_POSSIBLE: _l("Beslut att registrera"),
    NotificationKind.RISK_AWAITING_COSIGN: _l("Risk- och konsekvensanalys att skriva under"),
    NotificationKind.RISK_COSIGNED: _l("Risk- och konsekvensanalys underskriven"),
    NotificationKind.DEADLINE_SOON: _l("Tidsfrist"),
    NotificationKind.EVALUATION_OVERDUE: _l("Försenad utvärdering"),
    NotificationKind.URGENT_NEGOTIATION: _l("Brådskande beslut: förhandling krävs"),
    NotificationKind.DECISION_MAKER_ASSIGNED: _l("Utsedd till beslutsfattare"),
    NotificationKind.ROLE_GRANTED: _l("Roll tilldelad"),
    NotificationKind.WITNESS_PROBLEM: _l("Vittne"),
}

# A steering-group role as it reads inside a sentence ("... som justerare").
MEMBER_ROLE_WORDS: dict[str, LazyString] = {
    "chair": _l("ordförande"),
    "member": _l("ledamot"),
    "secretary": _l("sekreterare"),
    "signatory": _l("justerare"),
    "safety_representative": _l("skyddsombud"),
}

# What happened to a stage ("Skedet ... har avslutats").
STAGE_CHANGE_WORDS: dict[str, LazyString] = {
    "completed": _l("avslutats"),
    "started": _l("påbörjats"),
    "reopened": _l("öppnats igen"),
}


def recipient_locale(user: Any) -> str:
    """The language to write to `user` in: their own choice when the organisation offers it, else
    the organisation's default (`tracker.i18n.locale_for`). `getattr`, so that any object with or
    without a `locale` (a user, a mail row) works."""
    return locale_for(SimpleNamespace(locale=getattr(user, "locale", None)))


def subject(kind: NotificationKind | str) -> str:
    """The e-mail subject for a notification of this kind, in the current language."""
    return "Samverkan: " + str(SUBJECTS[NotificationKind(kind)])


def kind_label(kind: NotificationKind | str) -> str:
    """The kind's name in the current language."""
    try:
        return str(KIND_LABELS[NotificationKind(kind)])
    except (ValueError, KeyError):
        return str(kind)


def member_role_word(code: str) -> str:
    """The role's in-sentence word (the code itself when unknown)."""
    word = MEMBER_ROLE_WORDS.get(str(code))
    return str(word) if word is not None else str(code)


def stage_change_word(change: str | None) -> str:
    """'avslutats' / 'påbörjats' / 'öppnats igen' (the code itself when unknown)."""
    word = STAGE_CHANGE_WORDS.get(change or "")
    return str(word) if word is not None else (change or "")


def _day(value: Any) -> str:
    """An ISO date parameter in the reader's format."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(str(value)), "long")
    except ValueError:
        return str(value)


def _member_added(p: Mapping[str, Any]) -> str:
    if p.get("role"):
        return _("Du har lagts till i styrnings- och uppföljningsgruppen för %(case)s (%(title)s) som %(role)s.",
                 case=p["case"], title=p["title"], role=member_role_word(p["role"]))
    return _("Du har lagts till i styrnings- och uppföljningsgruppen för %(case)s (%(title)s).",
             case=p["case"], title=p["title"])


def _stage_changed(p: Mapping[str, Any]) -> str:
    if p.get("stage") and p.get("change"):
        return _("Skedet %(stage)s i %(case)s (%(title)s) har %(change)s.", stage=stage_label(p["stage"]),
                 case=p["case"], title=p["title"], change=stage_change_word(p["change"]))
    return _("Ett skede i %(case)s (%(title)s) har ändrats.", case=p["case"], title=p["title"])


def _minutes_awaiting(p: Mapping[str, Any]) -> str:
    return _("Protokollet från mötet %(meeting)s i %(case)s, version %(n)s, väntar på din justering.",
             meeting=p.get("meeting", ""), case=p["case"], n=p.get("n", ""))


def _minutes_refused(p: Mapping[str, Any]) -> str:
    return _("%(name)s justerade inte protokollet från mötet %(meeting)s i %(case)s (version %(n)s). Läs "
             "invändningen och spara en ny version.",
             name=p.get("name", ""), meeting=p.get("meeting", ""), case=p["case"], n=p.get("n", ""))


def _counter_proposal(p: Mapping[str, Any]) -> str:
    return _("%(name)s har lämnat motförslaget ”%(proposal)s” i %(case)s (%(title)s). Det väntar på ditt "
             "motiverade svar.", name=p.get("name", ""), proposal=p.get("proposal", ""), case=p["case"],
             title=p["title"])


def _central_requested(p: Mapping[str, Any]) -> str:
    return _("%(name)s har begärt central förhandling i %(case)s (%(title)s). Beslutet är låst tills du "
             "registrerat utfallet.", name=p.get("name", ""), case=p["case"], title=p["title"])


def _central_window(p: Mapping[str, Any]) -> str:
    return _("Den lokala förhandlingen i %(case)s (%(title)s) avslutades utan enighet. Central förhandling kan "
             "begäras till och med %(day)s.", case=p["case"], title=p["title"], day=_day(p.get("due")))


def _decision_possible(p: Mapping[str, Any]) -> str:
    return _("Inget hindrar längre beslutet i %(case)s (%(title)s): registrera det när det är fattat.",
             case=p["case"], title=p["title"])


def _urgent_negotiation(p: Mapping[str, Any]) -> str:
    return _("Synnerliga skäl har registrerats i %(case)s (%(title)s): beslutet får fattas före förhandling, "
             "men förhandlingen måste hållas och avslutas senast %(due)s.", case=p["case"], title=p["title"],
             due=_day(p.get("due")) or "–")


def _decision_maker_assigned(p: Mapping[str, Any]) -> str:
    return _("Du har utsetts till beslutsfattare i %(case)s (%(title)s).", case=p["case"], title=p["title"])


def _risk_awaiting(p: Mapping[str, Any]) -> str:
    return _("Risk- och konsekvensanalysen i %(case)s (%(title)s) väntar på din underskrift som skyddsombud.",
             case=p["case"], title=p["title"])


def _risk_cosigned(p: Mapping[str, Any]) -> str:
    return _("%(name)s har skrivit under risk- och konsekvensanalysen i %(case)s (%(title)s).",
             name=p.get("name", ""), case=p["case"], title=p["title"])


def _when(days: Any) -> str:
    if days is None or days == "":
        return ""
    n = int(days)
    return _("i dag") if n == 0 else _("i morgon") if n == 1 else _("om %(n)d dagar", n=n)


def _deadline_soon(p: Mapping[str, Any]) -> str:
    label = deadline_label(p.get("deadline", "")) if p.get("deadline") else _("En tidsfrist")
    when = _when(p.get("days"))
    if when:
        return _("%(label)s i %(case)s (%(title)s): %(due)s, %(when)s.", label=label, case=p["case"],
                 title=p["title"], due=_day(p.get("due")), when=when)
    return _("%(label)s i %(case)s (%(title)s): %(due)s.", label=label, case=p["case"], title=p["title"],
             due=_day(p.get("due")))


def _evaluation_overdue(p: Mapping[str, Any]) -> str:
    return _("Utvärderingen i %(case)s (%(title)s) skulle ha varit klar %(due)s och är försenad.",
             case=p["case"], title=p["title"], due=_day(p.get("due")))


def _role_granted(p: Mapping[str, Any]) -> str:
    actor = p.get("actor") or _("Kommandoraden")
    roles = role_labels(p.get("roles") or [])
    if p.get("user"):
        return _("%(actor)s gav %(user)s (%(email)s) rollen %(roles)s.", actor=actor, user=p["user"],
                 email=p.get("email", ""), roles=roles)
    return _("En roll med åtkomst till ärenden har tilldelats.")


def _witness_problem(p: Mapping[str, Any]) -> str:
    name, detail = p.get("witness", ""), p.get("detail", "")
    problem = p.get("problem")
    if problem == "unreachable":
        return _("Vittnet %(name)s kunde inte nås: %(detail)s", name=name, detail=detail)
    if problem == "bad_cosignature":
        return _("Vittnet %(name)s svarade utan en giltig kontrasignatur: %(detail)s", name=name, detail=detail)
    if problem == "tsa":
        return _("Tidsstämpeltjänsten %(name)s gav ingen giltig tidsstämpel: %(detail)s", name=name, detail=detail)
    if problem == "ahead":
        return _("Vittnet %(name)s har kontrasignerat en längre logg än databasen har (%(detail)s): "
                 "händelser kan ha tagits bort", name=name, detail=detail)
    return _("Vittnet %(name)s vägrade kontrasignera granskningsloggens kontrollpunkt: %(detail)s",
             name=name, detail=detail)


_MESSAGES: dict[NotificationKind, Callable[[Mapping[str, Any]], str]] = {
    NotificationKind.MEMBER_ADDED: _member_added,
    NotificationKind.STAGE_CHANGED: _stage_changed,
    NotificationKind.MINUTES_AWAITING_APPROVAL: _minutes_awaiting,
    NotificationKind.MINUTES_REFUSED: _minutes_refused,
    NotificationKind.COUNTER_PROPOSAL_SUBMITTED: _counter_proposal,
    NotificationKind.CENTRAL_NEGOTIATION_REQUESTED: _central_requested,
    NotificationKind.CENTRAL_WINDOW_OPEN: _central_window,
    NotificationKind.DECISION_POSSIBLE: _decision_possible,
    NotificationKind.RISK_AWAITING_COSIGN: _risk_awaiting,
    NotificationKind.RISK_COSIGNED: _risk_cosigned,
    NotificationKind.DEADLINE_SOON: _deadline_soon,
    NotificationKind.URGENT_NEGOTIATION: _urgent_negotiation,
    NotificationKind.DECISION_MAKER_ASSIGNED: _decision_maker_assigned,
    NotificationKind.EVALUATION_OVERDUE: _evaluation_overdue,
    NotificationKind.ROLE_GRANTED: _role_granted,
    NotificationKind.WITNESS_PROBLEM: _witness_problem,
}


def message(kind: NotificationKind | str, params: Mapping[str, Any] | None) -> str:
    """The notification's sentence in the current language."""
    p: dict[str, Any] = {"case": "", "title": "", **(params or {})}
    try:
        build = _MESSAGES[NotificationKind(kind)]
    except (ValueError, KeyError):
        return kind_label(kind)
    return build(p)
