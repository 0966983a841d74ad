"""The audit trail as sentences in the reader's language: one small function per action.

`sentence(event, names)` turns an event into "Anna Berg justerade version 2 av protokollet från
mötet 14 mars 2026". `names` carries the people and meetings the events refer to by id, loaded by
`tracker.audit.queries.names_for` in a constant number of queries. `ACTION_LABELS` names each
action for the trail's event select. Nothing here queries the database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import LazyString, format_date

from tracker.audit.models import AuditEvent
from tracker.i18n import gettext as _
from tracker.i18n import language_name
from tracker.i18n import lazy_gettext as _l
from tracker.procedure.labels import stage_label
from tracker.steering.labels import member_role_label, party_label

# Payload keys that hold one user id, or a list of them.
USER_KEYS = ("user_id", "reader_id", "auditor_id")
USER_LIST_KEYS = ("signatories", "invitees", "present", "absent", "readers")
# Targets that are users (user.* and auth.* events name the account they concern).
USER_TARGETS = ("users", "user")


@dataclass(frozen=True)
class Names:
    """Display names of what the events refer to by id."""

    users: dict[int, str] = field(default_factory=dict)
    meetings: dict[int, date] = field(default_factory=dict)  # meeting id -> its local date


def _ints(values: Iterable[Any]) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def user_ids(events: Iterable[AuditEvent]) -> set[int]:
    """Every user id the events refer to (payload keys and user targets)."""
    found: set[int] = set()
    for e in events:
        payload = e.payload if isinstance(e.payload, dict) else {}
        found |= _ints(payload.get(k) for k in USER_KEYS)
        for key in USER_LIST_KEYS:
            if isinstance(payload.get(key), list):
                found |= _ints(payload[key])
        if e.target_type in USER_TARGETS and e.target_id and e.target_id.isdigit():
            found.add(int(e.target_id))
    return found


def meeting_ids(events: Iterable[AuditEvent]) -> set[int]:
    """Every meeting id the events refer to (minutes events carry it; meeting events are about one)."""
    found: set[int] = set()
    for e in events:
        payload = e.payload if isinstance(e.payload, dict) else {}
        found |= _ints([payload.get("meeting_id")])
        if e.target_type == "meetings" and e.target_id and e.target_id.isdigit():
            found.add(int(e.target_id))
    return found


@dataclass(frozen=True)
class _Ctx:
    """What a sentence function reads: the actor's name, the payload and the loaded names."""

    event: AuditEvent
    names: Names

    @property
    def actor(self) -> str:
        return self.event.actor_name or _("Systemet")

    def get(self, key: str, default: Any = "") -> Any:
        payload = self.event.payload if isinstance(self.event.payload, dict) else {}
        value = payload.get(key)
        return default if value is None else value

    def user(self, key: str = "user_id", name_key: str = "user") -> str:
        ident = self.get(key, "")
        if isinstance(ident, int) and ident in self.names.users:
            return self.names.users[ident]
        return str(self.get(name_key, "")) or _("en användare")

    def users(self, key: str) -> str:
        idents = self.get(key, [])
        if not isinstance(idents, list) or not idents:
            return _("ingen")
        return ", ".join(self.names.users.get(i, _("okänd användare (%(id)s)", id=i)) for i in idents)

    def target_user(self) -> str:
        ident = self.event.target_id
        if ident and ident.isdigit() and int(ident) in self.names.users:
            return self.names.users[int(ident)]
        return _("en användare")

    def meeting(self) -> str:
        ident = self.get("meeting_id", "")
        target = self.event.target_id or ""
        if not isinstance(ident, int) and self.event.target_type == "meetings" and target.isdigit():
            ident = int(target)
        day = self.names.meetings.get(ident) if isinstance(ident, int) else None
        return _("mötet %(date)s", date=format_date(day, "long")) if day else _("ett möte")

    def document(self) -> str:
        title = self.get("title", "")
        return _("dokumentet ”%(title)s”", title=title) if title else _("ett sekretessbelagt dokument")

    def stage(self) -> str:
        code = self.get("stage", "")
        return stage_label(code) if code else ""


Sentence = Callable[[_Ctx], str]


def _simple(text: LazyString) -> Sentence:
    """An action whose sentence needs only the actor."""
    return lambda c: str(text) % {"actor": c.actor}


SENTENCES: dict[str, Sentence] = {
    # cases
    "case.opened": lambda c: _("%(actor)s registrerade ärendet %(number)s ”%(title)s”", actor=c.actor,
                               number=c.get("diary_number"), title=c.get("title")),
    "case.updated": _simple(_l("%(actor)s ändrade ärendets uppgifter")),
    "case.material_change_after_closing": _simple(
        _l("%(actor)s ändrade väsentliga uppgifter efter att förhandlingen avslutats")),
    "case.material_change_resolved": _simple(_l("%(actor)s tog ställning till en väsentlig ändring")),
    "case.decision_maker_assigned": lambda c: _("%(actor)s utsåg %(user)s till beslutsfattare", actor=c.actor,
                                                user=c.user(name_key="name")),
    "case.decision_maker_ended": lambda c: _("%(actor)s avslutade uppdraget som beslutsfattare för %(user)s",
                                             actor=c.actor, user=c.user()),
    "case.archived": _simple(_l("%(actor)s arkiverade ärendet")),
    # accounts
    "auth.login_throttled": lambda c: _("Inloggningen för %(email)s spärrades tillfälligt efter för många försök",
                                        email=c.get("email")),
    "auth.login_failed": lambda c: _("Misslyckad inloggning för %(email)s", email=c.get("email")),
    "auth.logged_in": _simple(_l("%(actor)s loggade in")),
    "auth.logged_out": _simple(_l("%(actor)s loggade ut")),
    "auth.password_changed": _simple(_l("%(actor)s bytte sitt lösenord")),
    "user.language_changed": lambda c: _("%(actor)s bytte språk till %(language)s", actor=c.actor,
                                         language=language_name(str(c.get("locale")))),
    "organisation.created": lambda c: _("%(actor)s lade till organisationen %(name)s", actor=c.actor,
                                        name=c.get("name")),
    "unit.added": lambda c: _("%(actor)s lade till enheten %(name)s i enhetsregistret", actor=c.actor,
                              name=c.get("name")),
    "unit.retired": lambda c: _("%(actor)s tog enheten %(name)s ur bruk", actor=c.actor, name=c.get("name")),
    "unit.reinstated": lambda c: _("%(actor)s tog enheten %(name)s i bruk igen", actor=c.actor, name=c.get("name")),
    "user.created": lambda c: _("%(actor)s skapade ett konto för %(user)s", actor=c.actor, user=c.target_user()),
    "user.roles_changed": lambda c: _("%(actor)s ändrade rollerna för %(user)s", actor=c.actor, user=c.target_user()),
    "user.deactivated": lambda c: _("%(actor)s inaktiverade kontot för %(user)s", actor=c.actor, user=c.target_user()),
    "user.activated": lambda c: _("%(actor)s aktiverade kontot för %(user)s", actor=c.actor, user=c.target_user()),
    "user.password_reset": lambda c: _("%(actor)s återställde lösenordet för %(user)s", actor=c.actor,
                                       user=c.target_user()),
    "notification_preference.changed": lambda c: _("%(actor)s slog på den dagliga sammanfattningen av aviseringar",
                                                   actor=c.actor) if c.get("daily_digest", False) else
    _("%(actor)s slog av den dagliga sammanfattningen av aviseringar", actor=c.actor),
    # steering group
    "steering.member_added": lambda c: _("%(actor)s lade till %(user)s i styrnings- och uppföljningsgruppen "
                                           "som %(role)s för %(party)s",
                                         actor=c.actor, user=c.user(), role=member_role_label(c.get("role")).lower(),
                                         party=party_label(c.get("party")).lower()),
    "steering.member_removed": lambda c: _("%(actor)s avslutade medlemskapet i styrnings- och "
                                             "uppföljningsgruppen för %(user)s",
                                           actor=c.actor, user=c.user()),
    # meetings and minutes
    "meeting.scheduled": lambda c: _("%(actor)s kallade till mötet ”%(title)s”; kallade: %(invitees)s",
                                     actor=c.actor, title=c.get("title"), invitees=c.users("invitees")),
    "meeting.updated": lambda c: _("%(actor)s ändrade %(meeting)s", actor=c.actor, meeting=c.meeting()),
    "meeting.cancelled": lambda c: _("%(actor)s ställde in %(meeting)s", actor=c.actor, meeting=c.meeting()),
    "meeting.attendance_recorded": lambda c: _("%(actor)s förde in närvaron vid %(meeting)s; närvarande: "
                                               "%(present)s; frånvarande: %(absent)s", actor=c.actor,
                                               meeting=c.meeting(), present=c.users("present"),
                                               absent=c.users("absent")),
    "minutes.drafted": lambda c: _("%(actor)s skrev version %(version)s av protokollet från %(meeting)s",
                                   actor=c.actor, version=c.get("number"), meeting=c.meeting()),
    "approvals.voided": lambda c: _("Tidigare justeringar upphävdes av version %(version)s av protokollet",
                                    version=c.get("by_version")),
    "minutes.submitted": lambda c: _("%(actor)s skickade version %(version)s av protokollet för justering till "
                                     "%(signatories)s", actor=c.actor, version=c.get("version"),
                                     signatories=c.users("signatories")),
    "minutes.approved": lambda c: _("%(actor)s justerade version %(version)s av protokollet från %(meeting)s",
                                    actor=c.actor, version=c.get("version"), meeting=c.meeting()),
    "minutes.refused": lambda c: _("%(actor)s vägrade justera version %(version)s av protokollet från %(meeting)s",
                                   actor=c.actor, version=c.get("version"), meeting=c.meeting()),
    # procedure
    "stage.started": lambda c: _("Skedet %(stage)s påbörjades", stage=c.stage()),
    "stage.updated": lambda c: _("%(actor)s uppdaterade skedet %(stage)s", actor=c.actor, stage=c.stage()),
    "stage.completed": lambda c: _("%(actor)s avslutade skedet %(stage)s", actor=c.actor, stage=c.stage()),
    "stage.reopened": lambda c: _("%(actor)s återupptog skedet %(stage)s", actor=c.actor, stage=c.stage()),
    "position.added": lambda c: _("%(actor)s förde in en ståndpunkt för %(party)s i skedet %(stage)s",
                                  actor=c.actor, party=party_label(c.get("party")).lower(), stage=c.stage()),
    "deadline.overridden": _simple(_l("%(actor)s åsidosatte en tidsfrist")),
    "decision.registered": _simple(_l("%(actor)s registrerade beslutet")),
    "negotiation.ended": _simple(_l("%(actor)s avslutade förhandlingen")),
    "central_negotiation.requested": _simple(_l("%(actor)s begärde central förhandling")),
    "central_negotiation.ended": _simple(_l("%(actor)s avslutade den centrala förhandlingen")),
    "urgent_decision.recorded": _simple(_l("%(actor)s registrerade synnerliga skäl för ett beslut före förhandling")),
    "evaluation.approved": _simple(_l("%(actor)s godkände utvärderingen")),
    # discussion
    "comment.added": lambda c: _("%(actor)s skrev en kommentar i skedet %(stage)s", actor=c.actor, stage=c.stage()),
    "comment.edited": lambda c: _("%(actor)s ändrade en kommentar i skedet %(stage)s", actor=c.actor, stage=c.stage()),
    "comment.withdrawn": lambda c: _("%(actor)s drog tillbaka en kommentar i skedet %(stage)s", actor=c.actor,
                                     stage=c.stage()),
    "counter_proposal.submitted": lambda c: _("%(actor)s lämnade motförslaget ”%(title)s”", actor=c.actor,
                                              title=c.get("title")),
    "counter_proposal.answered": lambda c: _("%(actor)s besvarade motförslaget ”%(title)s”", actor=c.actor,
                                             title=c.get("title")),
    "counter_proposal.withdrawn": lambda c: _("%(actor)s drog tillbaka motförslaget ”%(title)s”", actor=c.actor,
                                              title=c.get("title")),
    # risk assessment
    "risk_assessment.created": _simple(_l("%(actor)s lade in en risk- och konsekvensanalys")),
    "risk_assessment.cosigned": _simple(_l("%(actor)s skrev under risk- och konsekvensanalysen som skyddsombud")),
    "risk_assessment.objection_added": _simple(_l("%(actor)s lämnade en invändning mot risk- och konsekvensanalysen")),
    "risk_assessment.waived": _simple(_l("%(actor)s beslutade att ingen risk- och konsekvensanalys behövs")),
    # documents
    "document.uploaded": lambda c: _("%(actor)s laddade upp %(document)s", actor=c.actor, document=c.document()),
    "document.version_added": lambda c: _("%(actor)s laddade upp version %(version)s av %(document)s",
                                          actor=c.actor, version=c.get("version"), document=c.document()),
    "document.viewed": lambda c: _("%(actor)s öppnade %(document)s", actor=c.actor, document=c.document()),
    "document.downloaded": lambda c: _("%(actor)s laddade ned version %(version)s av %(document)s",
                                       actor=c.actor, version=c.get("version"), document=c.document()),
    "document.access_denied": lambda c: _("%(actor)s nekades åtkomst till %(document)s", actor=c.actor,
                                          document=c.document()),
    "document.reader_added": lambda c: _("%(actor)s gav %(user)s läsrätt till %(document)s", actor=c.actor,
                                         user=c.user("reader_id"), document=c.document()),
    "document.reader_removed": lambda c: _("%(actor)s tog bort läsrätten för %(user)s till %(document)s",
                                           actor=c.actor, user=c.user("reader_id"), document=c.document()),
    "document.erased": lambda c: _("%(actor)s raderade innehållet i version %(version)s av %(document)s",
                                   actor=c.actor, version=c.get("version"), document=c.document()),
    "document.integrity_failed": lambda c: _("Version %(version)s av ett dokument klarade inte "
                                             "integritetskontrollen", version=c.get("version")),
    "document.keys_rotated": _simple(_l("%(actor)s bytte dokumentnycklar")),
    "document.fsck_repaired": _simple(_l("%(actor)s reparerade dokumentlagret")),
    "clearance.granted": lambda c: _("%(actor)s gav granskaren %(user)s behörighet till sekretessbelagda dokument",
                                     actor=c.actor, user=c.user("auditor_id", "auditor")),
    "clearance.revoked": lambda c: _("%(actor)s återkallade behörigheten till sekretessbelagda dokument för "
                                     "%(user)s", actor=c.actor, user=c.user("auditor_id", "auditor")),
    # exports
    "export.generated": lambda c: _("%(actor)s exporterade ärendets protokoll (%(format)s)", actor=c.actor,
                                    format=str(c.get("format")).upper()),
    "decision_statement.exported": lambda c: _("%(actor)s exporterade beslutsunderlaget (%(format)s)",
                                               actor=c.actor, format=str(c.get("format")).upper()),
}


def sentence(event: AuditEvent, names: Names) -> str:
    """The event as a sentence in the reader's language."""
    ctx = _Ctx(event, names)
    write = SENTENCES.get(event.action)
    if write is not None:
        return write(ctx)
    if event.action.endswith(".access_denied"):
        return _("%(actor)s nekades åtkomst (%(what)s)", actor=ctx.actor, what=event.action.split(".")[0])
    return _("%(actor)s: %(action)s", actor=ctx.actor, action=event.action)


# The event select: each action by name, grouped by the first part of its code.
ACTION_GROUPS: dict[str, LazyString] = {
    "case.": _l("Ärenden (alla)"), "auth.": _l("Inloggning (alla)"), "user.": _l("Konton (alla)"),
    "steering.": _l("Styrnings- och uppföljningsgrupp (alla)"), "meeting.": _l("Möten (alla)"),
    "minutes.": _l("Protokoll (alla)"),
    "stage.": _l("Skeden (alla)"), "comment.": _l("Kommentarer (alla)"),
    "counter_proposal.": _l("Motförslag (alla)"), "risk_assessment.": _l("Risk- och konsekvensanalys (alla)"),
    "document.": _l("Dokument (alla)"), "unit.": _l("Enhetsregistret (alla)"),
}
ACTION_LABELS: dict[str, LazyString] = {
    "case.opened": _l("Ärende registrerat"), "case.updated": _l("Ärende ändrat"),
    "case.archived": _l("Ärende arkiverat"), "case.decision_maker_assigned": _l("Beslutsfattare utsedd"),
    "auth.logged_in": _l("Inloggning"), "auth.login_failed": _l("Misslyckad inloggning"),
    "user.created": _l("Konto skapat"), "user.roles_changed": _l("Roller ändrade"),
    "steering.member_added": _l("Ledamot tillagd i styrnings- och uppföljningsgruppen"),
    "steering.member_removed": _l("Medlemskap avslutat"),
    "meeting.scheduled": _l("Möte kallat"), "meeting.cancelled": _l("Möte inställt"),
    "minutes.drafted": _l("Protokoll skrivet"), "minutes.submitted": _l("Protokoll skickat för justering"),
    "minutes.approved": _l("Protokoll justerat"), "minutes.refused": _l("Justering vägrad"),
    "stage.completed": _l("Skede avslutat"), "stage.reopened": _l("Skede återupptaget"),
    "decision.registered": _l("Beslut registrerat"), "negotiation.ended": _l("Förhandling avslutad"),
    "deadline.overridden": _l("Tidsfrist åsidosatt"),
    "counter_proposal.submitted": _l("Motförslag lämnat"),
    "risk_assessment.cosigned": _l("Risk- och konsekvensanalys underskriven"),
    "document.uploaded": _l("Dokument uppladdat"), "document.downloaded": _l("Dokument nedladdat"),
    "document.access_denied": _l("Åtkomst till dokument nekad"),
    "export.generated": _l("Export skapad"),
}


def action_text(event: AuditEvent, names: Names | None = None) -> str:
    """What happened, for a person: the action's label, or its sentence when it has no label."""
    label = ACTION_LABELS.get(event.action)
    return str(label) if label is not None else sentence(event, names or Names())


def action_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for the event select, in the reader's language, groups first."""
    groups = sorted(((code, str(label)) for code, label in ACTION_GROUPS.items()), key=lambda p: p[1])
    actions = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda p: p[1])
    return [("", _("Alla händelser")), *groups, *actions]
