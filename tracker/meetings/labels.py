"""The words for the meetings feature's enums: the one place they are defined."""
from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tracker.meetings.models import MinutesStatus, SignatureDecision

MINUTES_STATUS_LABELS: dict[MinutesStatus, LazyString] = {
    MinutesStatus.DRAFT: _l("Utkast"),
    MinutesStatus.AWAITING_APPROVAL: _l("Väntar på justering"),
    MinutesStatus.APPROVED: _l("Justerat"),
    MinutesStatus.DISPUTED: _l("Omtvistat"),
}
NO_MINUTES = _l("Inget protokoll")

SIGNATURE_DECISION_LABELS: dict[SignatureDecision, LazyString] = {
    SignatureDecision.APPROVED: _l("Justerat"),
    SignatureDecision.REFUSED: _l("Vägrat"),
}


def minutes_status_label(status: str | None) -> str:
    """The minutes' status in the reader's language ("no minutes" for None or an unknown code)."""
    label = MINUTES_STATUS_LABELS.get(status) if status else None  # type: ignore[call-overload]
    return str(label if label is not None else NO_MINUTES)


def signature_decision_label(decision: str | None) -> str:
    """A signatory's decision in the reader's language."""
    label = SIGNATURE_DECISION_LABELS.get(decision) if decision else None  # type: ignore[call-overload]
    return str(label) if label is not None else (decision or "")
