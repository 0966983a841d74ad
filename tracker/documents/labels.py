"""The words of the documents feature: access reasons and information classes, translated once."""
from __future__ import annotations

from flask_babel import LazyString

from tracker.documents.models import Classification
from tracker.documents.policy import AccessReason
from tracker.i18n import lazy_gettext as _l

REASON_LABELS: dict[AccessReason, LazyString] = {
    AccessReason.RESPONSIBLE_HR: _l("du är ärendets ansvariga HR-handläggare"),
    AccessReason.MEMBER: _l("du är medlem i ärendets styrnings- och uppföljningsgrupp"),
    AccessReason.AUDITOR: _l("du är revisor och får läsa alla ärenden"),
    AccessReason.UPLOADER: _l("du laddade upp dokumentet"),
    AccessReason.NAMED_READER: _l("du är namngiven läsare av dokumentet"),
    AccessReason.CLEARED_AUDITOR: _l("du är revisor med behörighet (clearance) för ärendet"),
    AccessReason.DECISION_MAKER: _l("du är utsedd beslutsfattare i ärendet"),
}

CLASS_LABELS: dict[Classification, LazyString] = {
    Classification.OPEN: _l("Öppen"),
    Classification.INTERNAL: _l("Intern"),
    Classification.SECRET: _l("Sekretess"),
}


def reason_label(reason: AccessReason | str | None) -> str:
    """Why the reader may read a document, as a phrase ("" when they may not)."""
    if not reason:
        return ""
    label = REASON_LABELS.get(AccessReason(reason))
    return str(label) if label is not None else ""


def class_label(classification: Classification | str) -> str:
    """The translated name of an information class."""
    try:
        return str(CLASS_LABELS[Classification(classification)])
    except ValueError:
        return str(classification)
