"""The words for the meetings feature's enums: the one place they are defined."""
from __future__ import annotations

from flask_babel import LazyString

from tracker.i18n import lazy_gettext as _l
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


# A signatory's standing on the current version, as the chip says it (text, not colour alone).
SIGNATORY_STATE_LABELS: dict[str, LazyString] = {
    "approved": _l("Har justerat version %(n)s"),
    "refused": _l("Har vägrat justera version %(n)s"),
    "pending": _l("Har inte svarat på version %(n)s"),
    "draft": _l("Inte skickat för justering"),
}


def signatory_state_label(state: str, version: int | None) -> str:
    """'Har justerat version 2', in the reader's language."""
    label = SIGNATORY_STATE_LABELS.get(state)
    if label is None:
        return state
    return str(label) % {"n": version if version is not None else "–"}
