"""The words for the cases feature's enums: the one place templates, forms and exports get them.

Keyed by the enum members (a StrEnum member and its stored string are the same key)."""
from __future__ import annotations

from flask_babel.speaklater import LazyString

from tracker.cases.models import CaseStatus, ChangeKind
from tracker.i18n import lazy_gettext as _l

CASE_STATUS_LABELS: dict[str, LazyString] = {
    CaseStatus.ACTIVE: _l("Pågående"),
    CaseStatus.DECIDED: _l("Beslutat"),
    CaseStatus.ARCHIVED: _l("Arkiverat"),
}

CHANGE_KIND_LABELS: dict[str, LazyString] = {
    ChangeKind.REORGANISATION: _l("Omorganisation"),
    ChangeKind.MERGER: _l("Sammanslagning"),
    ChangeKind.OUTSOURCING: _l("Utkontraktering"),
    ChangeKind.CUTS: _l("Besparingar / neddragningar"),
    ChangeKind.OTHER: _l("Annat"),
}


def case_status_label(status: CaseStatus | str) -> str:
    """The translated name of a case status (the code itself when unknown)."""
    label = CASE_STATUS_LABELS.get(status)
    return str(label) if label is not None else str(status)


def change_kind_label(kind: ChangeKind | str) -> str:
    """The translated name of a kind of change (the code itself when unknown)."""
    label = CHANGE_KIND_LABELS.get(kind)
    return str(label) if label is not None else str(kind)


# The material facts whose change after closing raises the reopening warning.
MATERIAL_FIELD_LABELS: dict[str, LazyString] = {
    "staff_affected": _l("berörda anställda"),
    "units": _l("berörda enheter"),
    "change_kind": _l("typ av förändring"),
}


def material_field_label(name: str) -> str:
    """The translated name of a material fact."""
    label = MATERIAL_FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def material_value(name: str, value: object) -> str:
    """A material fact's value as a person reads it (a kind of change by its name, units joined)."""
    if name == "change_kind" and isinstance(value, str):
        return change_kind_label(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return "–" if value is None else str(value)
