"""The words for the cases feature's enums: the one place templates, forms and exports get them.

Keyed by the enum members (a StrEnum member and its stored string are the same key)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from tracker.cases.models import CaseStatus, ChangeKind

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
