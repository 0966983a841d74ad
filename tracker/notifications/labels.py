"""The words of notifications: e-mail subjects per kind, and the words their texts are built from."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from tracker.notifications.models import NotificationKind

SUBJECTS: dict[NotificationKind, LazyString] = {
    NotificationKind.MEMBER_ADDED: _l("Du har lagts till i en styrnings- och uppföljningsgrupp"),
    NotificationKind.STAGE_CHANGED: _l("Ett skede har ändrats"),
    NotificationKind.MINUTES_AWAITING_APPROVAL: _l("Protokoll väntar på din justering"),
    NotificationKind.DEADLINE_SOON: _l("En tidsfrist närmar sig"),
    NotificationKind.EVALUATION_OVERDUE: _l("Utvärderingen är försenad"),
    NotificationKind.URGENT_NEGOTIATION: _l("Brådskande beslut: förhandlingen ska hållas"),
    NotificationKind.DECISION_MAKER_ASSIGNED: _l("Du har utsetts till beslutsfattare i ett ärende"),
    NotificationKind.ROLE_GRANTED: _l("En roll med åtkomst till ärenden har tilldelats"),
    NotificationKind.WITNESS_PROBLEM: _l("Ett vittne har inte kontrasignerat granskningsloggen"),
}

# A steering-group role as it reads inside a sentence ("... som justerare").
MEMBER_ROLE_WORDS: dict[str, LazyString] = {
    "chair": _l("ordförande"),
    "member": _l("ledamot"),
    "secretary": _l("sekreterare"),
    "signatory": _l("justerare"),
    "safety_representative": _l("skyddsombud"),
}

# What happened to a stage ("Skedet ... har avslutats").
STAGE_CHANGE_WORDS: dict[str, LazyString] = {
    "completed": _l("avslutats"),
    "started": _l("påbörjats"),
    "reopened": _l("öppnats igen"),
}


def subject(kind: NotificationKind | str) -> str:
    """The e-mail subject for a notification of this kind, in the current language."""
    return "Samverkan: " + str(SUBJECTS[NotificationKind(kind)])


def member_role_word(code: str) -> str:
    """The role's in-sentence word (the code itself when unknown)."""
    word = MEMBER_ROLE_WORDS.get(str(code))
    return str(word) if word is not None else str(code)


def stage_change_word(change: str | None) -> str:
    """'avslutats' / 'påbörjats' / 'öppnats igen' (the code itself when unknown)."""
    word = STAGE_CHANGE_WORDS.get(change or "")
    return str(word) if word is not None else (change or "")
