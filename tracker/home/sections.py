"""What the start page says to each role: a heading, a sentence and links, per role the user holds."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel.speaklater import LazyString

from tracker.auth.models import Role, User
from tracker.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class RoleSection:
    """One role's part of the start page; `links` are (endpoint, label) pairs."""

    role: Role
    heading: LazyString
    text: LazyString
    links: tuple[tuple[str, LazyString], ...]


_FOLLOW = _l("Följ ärendena där du ingår i styrnings- och uppföljningsgruppen, lämna synpunkter och motförslag, "
             "justera protokoll och begär central förhandling.")
_FOLLOW_SAFETY = _l("Följ ärendena där du ingår i styrnings- och uppföljningsgruppen, lämna synpunkter och "
                    "motförslag, justera protokoll och skriv under risk- och konsekvensanalysen.")
_PERSONNEL = _l("Ärenden där du företräder personalen")

SECTIONS: dict[Role, RoleSection] = {
    Role.HR_OFFICER: RoleSection(
        Role.HR_OFFICER, _l("Dina ärenden som HR-handläggare"),
        _l("Öppna ärenden, driv förfarandet steg för steg, kalla till möten, skriv protokoll och ladda upp "
           "handlingar."),
        (("cases.new", _l("Öppna ett nytt ärende")), ("cases.index", _l("Alla dina ärenden")))),
    Role.DECISION_MAKER: RoleSection(
        Role.DECISION_MAKER, _l("Beslut"),
        _l("Registrera beslutet när förfarandet tillåter det. Ett beslut före en frist kräver ett skriftligt skäl "
           "och visas som en avvikelse."),
        (("cases.index", _l("Ärenden")),)),
    Role.UNION_REP: RoleSection(Role.UNION_REP, _PERSONNEL, _FOLLOW, (("cases.index", _l("Dina ärenden")),)),
    Role.SAFETY_REP: RoleSection(Role.SAFETY_REP, _PERSONNEL, _FOLLOW_SAFETY,
                                 (("cases.index", _l("Dina ärenden")),)),
    Role.AUDITOR: RoleSection(
        Role.AUDITOR, _l("Granskning"),
        _l("Läs alla ärenden och hela granskningsloggen, och exportera förfarandets dokumentation."),
        (("cases.index", _l("Alla ärenden")), ("audit.index", _l("Granskningsloggen")))),
    Role.ADMIN: RoleSection(
        Role.ADMIN, _l("Administration"),
        _l("Hantera användare, roller, organisationer och förfarandeprofiler. Administratörer har ingen åtkomst "
           "till ärendenas innehåll."),
        (("admin.users", _l("Användare")), ("admin.user_new", _l("Ny användare")),
         ("admin.organisations", _l("Organisationer")), ("procedure.profiles", _l("Förfarandeprofiler")))),
}


def sections_for(user: User) -> list[RoleSection]:
    """The sections of the roles `user` holds, in the roles' order."""
    return [SECTIONS[role] for role in sorted(user.roles, key=list(Role).index) if role in SECTIONS]
