"""The one place the procedure's enums get their words (lazy: translated when rendered, and
usable without an app context)."""
from __future__ import annotations

from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from tracker.i18n import lazy_gettext as _l
from tracker.procedure.enums import DeadlineCode, DeadlineStatus, EndMode, Stage, StageStatus

STAGE_LABELS: dict[Stage, LazyString] = {
    Stage.EARLY_INFORMATION: _l("Tidig information"),
    Stage.GROUNDS: _l("Grunder"),
    Stage.EFFECTS: _l("Verkningar"),
    Stage.ALTERNATIVES: _l("Alternativ"),
    Stage.CLOSING: _l("Avslutande"),
    Stage.DECISION: _l("Beslut"),
    Stage.EVALUATION: _l("Utvärdering"),
}

STATUS_LABELS: dict[StageStatus, LazyString] = {
    StageStatus.PENDING: _l("Väntar"),
    StageStatus.ACTIVE: _l("Pågår"),
    StageStatus.COMPLETED: _l("Avslutat"),
}

END_MODE_LABELS: dict[EndMode, LazyString] = {
    EndMode.AGREEMENT: _l("Enighet"),
    EndMode.DISAGREEMENT: _l("Oenighet"),
    EndMode.WRITTEN_NOTICE: _l("Skriftligt besked om att förhandlingen avslutas"),
}

# The stage content fields, by field name: the forms' labels and the page's headings alike.
CONTENT_FIELD_LABELS: dict[str, LazyString] = {
    "information_given": _l("Information som getts"),
    "information_to": _l("Till vem"),
    "information_given_on": _l("Datum då informationen gavs"),
    "proposal_text": _l("Skriftlig förhandlingsframställan"),
    "proposal_delivered_at": _l("Framställan lämnad (datum och tid)"),
    "reasons": _l("Varför förändringen planeras"),
    "documents_tabled": _l("Framlagda handlingar (en per rad)"),
    "effects_staff": _l("Verkningar för personalen"),
    "effects_units": _l("Verkningar för enheterna"),
    "effects_conditions": _l("Verkningar för arbetsförhållandena"),
    "alternatives_considered": _l("Alternativ som övervägts"),
    "notes": _l("Anteckningar om avslutandet"),
    "no_meeting_reason": _l("Skäl till att inget förhandlingsmöte hölls"),
    "plan": _l("Utvärderingsplan"),
    "indicators": _l("Indikatorer"),
    "report": _l("Utvärderingsrapport"),
}

PARTY_LABELS: dict[str, LazyString] = {
    "employer": _l("Arbetsgivaren"),
    "personnel": _l("Personalen"),
}

DEADLINE_LABELS: dict[DeadlineCode, LazyString] = {
    DeadlineCode.EARLIEST_FIRST_MEETING: _l("Tidigaste första möte"),
    DeadlineCode.MIN_NEGOTIATION: _l("Minsta förhandlingstid uppfylld"),
    DeadlineCode.EARLIEST_DECISION: _l("Beslut möjligt från"),
    DeadlineCode.CENTRAL_WINDOW: _l("Sista dag att begära central förhandling"),
    DeadlineCode.CENTRAL_PENDING: _l("Central förhandling pågår"),
    DeadlineCode.EVALUATION_DUE: _l("Utvärdering senast"),
    DeadlineCode.CLOSING_NOT_ENDED: _l("Förhandlingarna är inte avslutade"),
}


DEADLINE_STATUS_LABELS: dict[DeadlineStatus, LazyString] = {
    DeadlineStatus.UPCOMING: _l("Kommande"),
    DeadlineStatus.DUE_TODAY: _l("I dag"),
    DeadlineStatus.MET: _l("Uppfylld"),
    DeadlineStatus.MISSED: _l("Missad"),
    DeadlineStatus.LOCKED: _l("Låst"),
    DeadlineStatus.LIFTED: _l("Hävd"),
    DeadlineStatus.AWAITING: _l("Kan inte räknas ännu"),
}


def _label(labels: dict, code: str | None) -> str:
    label = labels.get(code) if code is not None else None
    return str(label) if label is not None else (code or "")


def stage_label(code: str) -> str:
    """The translated name of a stage (the code itself for an unknown one)."""
    return _label(STAGE_LABELS, code)


def status_label(status: str) -> str:
    """The translated name of a stage status."""
    return _label(STATUS_LABELS, status)


def end_mode_label(mode: str | None) -> str:
    """The translated name of how a negotiation ended."""
    return _label(END_MODE_LABELS, mode)


def deadline_label(code: str) -> str:
    """The translated name of a deadline code."""
    return _label(DEADLINE_LABELS, code)


def deadline_status_label(status: str | None) -> str:
    """The translated word of a deadline status."""
    return _label(DEADLINE_STATUS_LABELS, status)


# The audit events the decision statement cites as evidence, by action.
STATEMENT_EVENT_LABELS: dict[str, LazyString] = {
    "negotiation.ended": _l("förhandlingen avslutad"),
    "minutes.approved": _l("protokoll justerat"),
    "central_negotiation.requested": _l("central förhandling begärd"),
    "central_negotiation.ended": _l("central förhandling avslutad"),
    "deadline.overridden": _l("tidsfrist åsidosatt"),
    "urgent_decision.recorded": _l("synnerliga skäl registrerade"),
    "stage.reopened": _l("skede återupptaget"),
}


def statement_event_label(action: str) -> str:
    """The words for an audit action cited by the decision statement."""
    return _label(STATEMENT_EVENT_LABELS, action)


# A procedure profile's settings (profiles.py, ProfileSettings) in words, and the unit of each number.
SETTING_LABELS: dict[str, LazyString] = {
    "proposal_lead_days": _l("Den skriftliga förhandlingsframställan lämnas före första mötet"),
    "requires_proposal_when_reductions": _l("Skriftlig förhandlingsframställan krävs vid minskning av personal"),
    "min_negotiation_days": _l("Förhandlingarnas minsta längd"),
    "large_staff_threshold": _l("Antal berörda anställda som gör förändringen stor"),
    "large_staff_extended_period_enabled": _l("Längre förhandlingstid vid stor förändring"),
    "large_staff_min_negotiation_days": _l("Förhandlingarnas minsta längd vid stor förändring"),
    "central_negotiation_enabled": _l("Central förhandling kan begäras"),
    "central_negotiation_window_days": _l("Tid att begära central förhandling efter avslutad förhandling"),
    "requires_risk_assessment_cosigned": _l("Risk- och konsekvensanalysen ska skrivas under av skyddsombudet"),
    "allows_risk_assessment_waiver": _l("Skyddsombudet kan avstå från att skriva under"),
    "allows_urgent_decision": _l("Brådskande beslut före förhandling tillåts (synnerliga skäl)"),
    "requires_negotiation_meeting": _l("Minst ett förhandlingsmöte krävs"),
    "urgent_negotiation_days": _l("Förhandling efter ett brådskande beslut inom"),
    "minutes_approved_by_both": _l("Protokollet justeras av båda parter"),
    "evaluation_due_months": _l("Utvärderingen görs inom"),
}
_DAYS = ("proposal_lead_days", "min_negotiation_days", "large_staff_min_negotiation_days",
         "central_negotiation_window_days", "urgent_negotiation_days")


def setting_label(name: str) -> str:
    """A profile setting in words (its name when it has none, so a new setting still shows)."""
    return _label(SETTING_LABELS, name)


def setting_value(name: str, value: int | bool) -> str:
    """A setting's value in words: yes or no, a number of days, months or employees."""
    if isinstance(value, bool):
        return str(_l("ja") if value else _l("nej"))
    if name in _DAYS:
        return ngettext("%(num)d dag", "%(num)d dagar", value)
    if name == "evaluation_due_months":
        return ngettext("%(num)d månad", "%(num)d månader", value)
    if name == "large_staff_threshold":
        return ngettext("%(num)d anställd", "%(num)d anställda", value)
    return str(value)
