"""Case registration and editing. Services take the actor, check policy, flush, audit; never commit."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker import signals
from tracker.audit.service import record
from tracker.auth.models import Role, User
from tracker.cases.labels import material_field_label
from tracker.cases.models import (
    Case,
    CaseDecisionMaker,
    CaseStatus,
    CaseUnit,
    ChangeKind,
    DiaryCounter,
    MaterialChange,
)
from tracker.cases.policy import can_assign_decision_makers, can_edit_case, can_open_case, can_view_case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import default_language, offered
from tracker.i18n import gettext as _
from tracker.procedure.enums import Stage, StageStatus
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.procedure.services import current_records, initialise_stages, reopen_stage
from tracker.timeutil import local_date, utcnow

# The facts whose change after closing may call for the procedure to be reopened (AD 2014 nr 71).
MATERIAL_FIELDS = ("staff_affected", "units", "change_kind")
EDITABLE_FIELDS = ("title", "description", "change_kind", "staff_affected", "may_reduce_staff", "is_large",
                   "planned_decision_date", "decision_body")


def next_diary_number(year: int) -> str:
    """Reserve the next diary number of `year` inside the caller's transaction.

    The counter row is created if missing (insert-on-conflict-do-nothing) and then incremented
    with a single UPDATE ... RETURNING, which takes the row lock on PostgreSQL (concurrent
    registrations queue behind it) and SQLite's write lock; a rollback returns the number,
    so numbers stay gap-free and are never reused.
    """
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(DiaryCounter).values(year=year, last_number=0)
                        .on_conflict_do_nothing(index_elements=["year"]))
    elif dialect == "sqlite":
        session.execute(sqlite_insert(DiaryCounter).values(year=year, last_number=0)
                        .on_conflict_do_nothing(index_elements=["year"]))
    else:  # pragma: no cover - other databases: best effort
        if session.get(DiaryCounter, year) is None:
            session.execute(insert(DiaryCounter).values(year=year, last_number=0))
    number = session.execute(
        update(DiaryCounter).where(DiaryCounter.year == year)
        .values(last_number=DiaryCounter.last_number + 1)
        .returning(DiaryCounter.last_number)
    ).scalar_one()
    return f"SAM-{year}-{number:04d}"


def _clean_units(units: list[str] | tuple[str, ...] | None) -> list[str]:
    seen: list[str] = []
    for raw in units or ():
        name = " ".join(str(raw).split())
        if name and name.lower() not in (s.lower() for s in seen):
            seen.append(name)
    return seen


def _validate(fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            errors["title"] = _("Ange en rubrik.")
        elif len(title) > 300:
            errors["title"] = _("Rubriken får vara högst 300 tecken.")
        fields["title"] = title
    if "change_kind" in fields:
        if fields["change_kind"] in {k.value for k in ChangeKind}:
            fields["change_kind"] = ChangeKind(fields["change_kind"])
        else:
            errors["change_kind"] = _("Välj en typ av förändring.")
    if "staff_affected" in fields:
        try:
            fields["staff_affected"] = int(fields["staff_affected"] or 0)
            if fields["staff_affected"] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["staff_affected"] = _("Ange ett antal (0 eller fler).")
    if "planned_decision_date" in fields and fields["planned_decision_date"] is not None \
            and not isinstance(fields["planned_decision_date"], date):
        errors["planned_decision_date"] = _("Ange ett datum (ÅÅÅÅ-MM-DD).")
    if "decision_body" in fields:
        fields["decision_body"] = (fields["decision_body"] or "").strip()[:200]
    if "description" in fields:
        fields["description"] = fields["description"] or ""
    return errors


def open_case(actor: User, *, title: str, description: str = "",
              change_kind: ChangeKind | str = ChangeKind.REORGANISATION,
              staff_affected: int = 0, units: list[str] | tuple[str, ...] = (), may_reduce_staff: bool = False,
              is_large: bool = False, planned_decision_date: date | None = None, decision_body: str = "",
              profile_code: str = "se-mbl", language: str | None = None) -> Case:
    """Register a case; the actor (an HR officer) becomes its responsible HR officer. Its language
    is `language` when the organisation offers it, else the organisation's default."""
    if not can_open_case(actor):
        raise PermissionDenied(_("Bara HR kan registrera ärenden."))
    fields = dict(title=title, description=description, change_kind=str(change_kind),
                  staff_affected=staff_affected, may_reduce_staff=bool(may_reduce_staff),
                  is_large=bool(is_large), planned_decision_date=planned_decision_date,
                  decision_body=decision_body)
    errors = _validate(fields)
    unit_names = _clean_units(units)
    if is_large and not unit_names:
        errors["units"] = _("Ett stort ärende behöver minst en berörd enhet.")
    profile = None
    try:
        profile = get_profile(profile_code)
    except ProfileError:
        errors["profile_code"] = _("Välj en förfarandeprofil.")
    if language and not offered(language):
        errors["language"] = _("Okänt språk.")
    if errors or profile is None:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    year = local_date(utcnow()).year
    case = Case(diary_number=next_diary_number(year), profile_code=profile.code,
                profile_version=profile.version, responsible_hr_id=actor.id, status=CaseStatus.ACTIVE,
                current_stage="early_information", language=offered(language) or default_language(), **fields)
    case.units = [CaseUnit(name=n) for n in unit_names]
    db.session.add(case)
    db.session.flush()
    initialise_stages(case)
    record(actor, "case.opened", case, {
        "diary_number": case.diary_number, "title": case.title, "profile": profile.code,
        "profile_version": profile.version, "units": unit_names, "may_reduce_staff": case.may_reduce_staff,
        "is_large": case.is_large, "staff_affected": case.staff_affected, "change_kind": case.change_kind,
        "language": case.language,
    }, case_id=case.id)
    signals.case_opened.send(case, actor=actor)
    return case


def update_case(actor: User, case: Case, **changes: Any) -> Case:
    """Edit an active case's facts; records only what changed."""
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat och kan inte ändras."))
    if not can_edit_case(actor, case):
        raise PermissionDenied(_("Du kan inte ändra det här ärendet."))
    units = changes.pop("units", None)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"not editable: {', '.join(sorted(unknown))}")
    errors = _validate(changes)
    unit_names = _clean_units(units) if units is not None else None
    large = changes.get("is_large", case.is_large)
    if large and not (unit_names if unit_names is not None else case.unit_names):
        errors["units"] = _("Ett stort ärende behöver minst en berörd enhet.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    diff: dict[str, Any] = {}
    for key, value in changes.items():
        old = getattr(case, key)
        if old != value:
            diff[key] = {"from": old, "to": value}
            setattr(case, key, value)
    if unit_names is not None and unit_names != case.unit_names:
        diff["units"] = {"from": case.unit_names, "to": unit_names}
        existing = {u.name: u for u in case.units}
        case.units = [existing.get(n) or CaseUnit(name=n) for n in unit_names]
    if not diff:
        return case
    db.session.flush()
    record(actor, "case.updated", case, {"changes": diff}, case_id=case.id)
    _note_material_change(actor, case, diff)
    return case


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, ChangeKind) else value


def _note_material_change(actor: User, case: Case, diff: dict[str, Any]) -> MaterialChange | None:
    """After closing, a change of the material facts opens a warning waiting for HR's choice."""
    material = {key: {"from": _jsonable(d["from"]), "to": _jsonable(d["to"])}
                for key, d in diff.items() if key in MATERIAL_FIELDS}
    if not material or current_records(case)[Stage.CLOSING].status != StageStatus.COMPLETED:
        return None
    row = MaterialChange(case_id=case.id, changes=material, changed_at=utcnow(), changed_by_id=actor.id, note="")
    db.session.add(row)
    db.session.flush()
    record(actor, "case.material_change_after_closing", row, {"changes": material}, case_id=case.id)
    return row


def resolve_material_change(actor: User, case: Case, change_id: int, *, reopen: bool, note: str = "") -> MaterialChange:
    """HR's choice on a material change after closing: reopen at early information (one step, a new
    round), or keep the closing with a written reason. Both are audited."""
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat och kan inte ändras."))
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_edit_case(actor, case):
        raise PermissionDenied(_("Du kan inte ändra det här ärendet."))
    row = db.session.get(MaterialChange, change_id)
    if row is None or row.case_id != case.id:
        raise NotFound("material change not found")
    if row.resolution is not None:
        raise Conflict(_("Valet är redan gjort för den här ändringen."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=2000), field="note")
    if reopen:
        reason = _("Väsentlig ändring efter avslutad förhandling (%(fields)s).",
                   fields=", ".join(material_field_label(name) for name in (row.changes or {})))
        reopen_stage(actor, case, Stage.EARLY_INFORMATION, f"{reason} {note}".strip())
    elif len(note) < 10:
        raise ValidationFailed(_("Motivera varför förfarandet inte återupptas (minst 10 tecken)."), field="note")
    row.resolution = "reopened" if reopen else "kept"
    row.resolved_at = utcnow()
    row.resolved_by_id = actor.id
    row.note = note
    db.session.flush()
    record(actor, "case.material_change_resolved", row, {"choice": row.resolution, "note": note}, case_id=case.id)
    return row


def get_case_by_diary_number(user: User, diary_number: str) -> Case:
    """The case with this diary number if `user` may see it; NotFound otherwise (the CLI's lookup)."""
    case = db.session.execute(select(Case).where(Case.diary_number == diary_number)).scalar_one_or_none()
    if case is None or not can_view_case(user, case):
        raise NotFound("case not found")
    return case


# --- the decision body: decision makers assigned to the case --------------------------------

def _current_assignment(case: Case, user_id: int) -> CaseDecisionMaker | None:
    return db.session.execute(select(CaseDecisionMaker).where(
        CaseDecisionMaker.case_id == case.id, CaseDecisionMaker.user_id == user_id,
        CaseDecisionMaker.ended_at.is_(None)).limit(1)).scalars().first()


def _ensure_assigner(actor: User, case: Case) -> None:
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat och kan inte ändras."))
    if not can_view_case(actor, case):
        raise NotFound("case not found")
    if not can_assign_decision_makers(actor, case):
        raise PermissionDenied(_("Bara ärendets HR-handläggare utser beslutsfattare."))


def assign_decision_maker(actor: User, case: Case, user: User | None) -> CaseDecisionMaker:
    """HR assigns a decision maker to the case: they see it read-only and may register the decision."""
    _ensure_assigner(actor, case)
    if user is None or not user.active or not user.has_role(Role.DECISION_MAKER):
        raise ValidationFailed(_("Välj en aktiv användare med rollen beslutsfattare."), field="user_id")
    if _current_assignment(case, user.id) is not None:
        raise Conflict(_("%(name)s är redan utsedd beslutsfattare i ärendet.", name=user.name))
    row = CaseDecisionMaker(case_id=case.id, user_id=user.id, assigned_at=utcnow(), assigned_by_id=actor.id,
                            end_reason="")
    db.session.add(row)
    db.session.flush()
    record(actor, "case.decision_maker_assigned", row, {"user_id": user.id, "name": user.name}, case_id=case.id)
    signals.decision_maker_assigned.send(case, actor=actor, user=user)
    return row


def end_decision_maker(actor: User, case: Case, assignment_id: int, reason: str) -> CaseDecisionMaker:
    """HR ends an assignment (kept in the history with who, when and why)."""
    _ensure_assigner(actor, case)
    row = db.session.get(CaseDecisionMaker, assignment_id)
    if row is None or row.case_id != case.id:
        raise NotFound("assignment not found")
    if row.ended_at is not None:
        raise Conflict(_("Uppdraget som beslutsfattare har redan avslutats."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Ange varför uppdraget avslutas."), field="reason")
    if len(reason) > 2000:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=2000), field="reason")
    row.ended_at = utcnow()
    row.ended_by_id = actor.id
    row.end_reason = reason
    db.session.flush()
    record(actor, "case.decision_maker_ended", row, {"user_id": row.user_id, "reason": reason}, case_id=case.id)
    return row
