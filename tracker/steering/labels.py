"""The words for the steering group's enums: the one place they are defined."""
from __future__ import annotations

from flask_babel import LazyString

from tracker.i18n import lazy_gettext as _l
from tracker.steering.models import MemberRole, Party

PARTY_LABELS: dict[Party, LazyString] = {Party.EMPLOYER: _l("Arbetsgivaren"), Party.PERSONNEL: _l("Personalen")}
MEMBER_ROLE_LABELS: dict[MemberRole, LazyString] = {
    MemberRole.CHAIR: _l("Ordförande"),
    MemberRole.MEMBER: _l("Ledamot"),
    MemberRole.SECRETARY: _l("Sekreterare"),
    MemberRole.SIGNATORY: _l("Justerare"),
    MemberRole.SAFETY_REPRESENTATIVE: _l("Skyddsombud"),
}


def party_label(code: str | None) -> str:
    """The party's name in the reader's language (the code itself when unknown)."""
    label = PARTY_LABELS.get(code) if code else None  # type: ignore[call-overload]
    return str(label) if label is not None else (code or "")


def member_role_label(code: str | None) -> str:
    """The steering-group role's name in the reader's language (the code itself when unknown)."""
    label = MEMBER_ROLE_LABELS.get(code) if code else None  # type: ignore[call-overload]
    return str(label) if label is not None else (code or "")
