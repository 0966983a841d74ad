"""Translated names for roles and organisation kinds, for pages, e-mails and exports."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel.speaklater import LazyString

from tracker import i18n
from tracker.auth.models import OrganisationKind, Role
from tracker.i18n import lazy_gettext as _l

ROLE_LABELS: dict[Role, LazyString] = {
    Role.HR_OFFICER: _l("HR-handläggare"),
    Role.DECISION_MAKER: _l("Beslutsfattare"),
    Role.UNION_REP: _l("Facklig företrädare"),
    Role.SAFETY_REP: _l("Skyddsombud"),
    Role.AUDITOR: _l("Revisor"),
    Role.ADMIN: _l("Administratör"),
}

# Each language by its own name, whatever the page's language (the option carries its `lang`).
LANGUAGE_NAMES: dict[str, str] = i18n.LANGUAGE_NAMES

ORGANISATION_KIND_LABELS: dict[OrganisationKind, LazyString] = {
    OrganisationKind.EMPLOYER: _l("Arbetsgivare"),
    OrganisationKind.UNION: _l("Fackförbund"),
}


def role_label(role: Role | str | None) -> str:
    """The role's name in the current language (the raw code when unknown)."""
    if role is None:
        return ""
    try:
        return str(ROLE_LABELS[Role(role)])
    except (ValueError, KeyError):
        return str(role)


def role_labels(roles: Iterable[Role | str]) -> str:
    """Several roles, in the canonical role order, joined with commas."""
    order = list(Role)
    codes = {str(role) for role in Role}
    known = sorted((Role(r) for r in roles if str(r) in codes), key=order.index)
    return ", ".join(role_label(r) for r in known)


def organisation_kind_label(kind: OrganisationKind | str | None) -> str:
    """'Arbetsgivare' / 'Fackförbund' in the current language."""
    if kind is None:
        return ""
    try:
        return str(ORGANISATION_KIND_LABELS[OrganisationKind(kind)])
    except (ValueError, KeyError):
        return str(kind)
