"""The words exports use for the codes a procedure record stores (PDF, overview page, panel).

The record itself (JSON, CSV) keeps the codes; these are their names in the reader's language.
Looked up lazily, so each export reads them in the exporting user's locale.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import get_locale

from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l

# Filters of the auditor's overview ("" is "any").
STATUS_FILTERS = (("", _l("Alla")), ("active", _l("Pågående")), ("decided", _l("Beslutade")),
                  ("archived", _l("Arkiverade")))
COMPLIANCE_FILTERS = (("", _l("Alla")), ("yes", _l("Med avvikelse")), ("no", _l("Utan avvikelse")))

# The export buttons, in the order the case page shows them.
FORMAT_LABELS = {"pdf": _l("PDF"), "json": _l("JSON"), "csv": _l("Granskningslogg (CSV)"),
                 "bundle": _l("Verifierbart paket (zip)")}


def _tables() -> dict[str, dict[str, str]]:
    return {
        "party": {"employer": _("Arbetsgivaren"), "personnel": _("Personalen")},
        "role": {"chair": _("Ordförande"), "member": _("Ledamot"), "secretary": _("Sekreterare"),
                 "signatory": _("Justerare"), "safety_representative": _("Skyddsombud")},
        "status": {"active": _("Pågående"), "decided": _("Beslutat"), "archived": _("Arkiverat"),
                   "pending": _("Väntar"), "completed": _("Avslutat")},
        "minutes": {"draft": _("Utkast"), "awaiting_approval": _("Väntar på justering"), "approved": _("Justerat"),
                    "disputed": _("Omtvistat")},
        "change_kind": {"reorganisation": _("Omorganisation"), "merger": _("Sammanslagning"),
                        "outsourcing": _("Utkontraktering"), "cuts": _("Besparingar / neddragningar"),
                        "other": _("Annat")},
        "end_mode": {"agreement": _("enighet"), "disagreement": _("oenighet"),
                     "written_notice": _("skriftligt besked om avslut")},
        "signature": {"approved": _("justerat"), "refused": _("vägrat")},
        "flag": {"override": _("åsidosatt tidsfrist"), "not_met": _("tidsfrist inte uppfylld"),
                 "overdue": _("försenad tidsfrist")},
        # The CSV's header row: "<name> (<code>)", so people read it and the verifier finds the code.
        "csv": {"seq": _("Nr"), "occurred_at": _("Tid (UTC)"), "actor_id": _("Aktörens id"),
                "actor_name": _("Aktör"), "actor_role": _("Roll"), "action": _("Händelse"),
                "target_type": _("Objekttyp"), "target_id": _("Objektets id"), "case_id": _("Ärendets id"),
                "client_address": _("Klientadress"), "payload": _("Data"), "prev_hash": _("Föregående hash"),
                "hash": _("Hash"), "payload_redacted": _("Data dold för läsaren"),
                "action_text": _("Händelse i klartext"), "occurred_local": _("Lokal tid")},
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


@lru_cache(maxsize=8)
def _tables_for(locale: str) -> dict[str, dict[str, str]]:  # noqa: ARG001 - the cache key; gettext reads it
    return _tables()


def label(kind: str, code: Any) -> str:
    """The name of `code` in the table `kind`, in the current locale; the code itself if unknown."""
    if code is None or code == "":
        return "–"
    return _tables_for(str(get_locale()))[kind].get(str(code), str(code))


@lru_cache(maxsize=8)
def _code_words(locale: str) -> dict[str, str]:  # noqa: ARG001 - the cache key; gettext reads it
    from tracker.procedure import labels as pl

    words: dict[str, str] = {str(k): str(v) for table in (
        pl.STAGE_LABELS, pl.END_MODE_LABELS, pl.DEADLINE_LABELS, pl.DEADLINE_STATUS_LABELS,
        pl.CONTENT_FIELD_LABELS) for k, v in table.items()}
    words.update(_tables()["content"])
    # Only the snake_case codes: one-word ones ("grounds", "reasons") read as words already.
    return {code: word for code, word in words.items() if "_" in code}


def worded(value: Any) -> Any:
    """`value` (an audit payload) with the procedure's codes among its keys and strings replaced
    by their words, for the human-readable record; the JSON and CSV keep the codes."""
    words = _code_words(str(get_locale()))
    if isinstance(value, dict):
        return {words.get(str(k), str(k)): worded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [worded(v) for v in value]
    if isinstance(value, str):
        return words.get(value, value)
    return value


def case_status_label(code: Any) -> str:
    """A case status as the overview lists it."""
    return label("status", code)
