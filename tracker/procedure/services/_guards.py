"""What every procedure service checks first, and input clean-up shared by them."""
from __future__ import annotations

from typing import Any

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.i18n import gettext as _
from tracker.procedure.enums import Stage
from tracker.procedure.models import StageRecord
from tracker.procedure.policy import can_edit_stages
from tracker.procedure.queries import current_records

TEXT_MAX = 20000


def ensure_open(case: Case) -> None:
    """An archived case is read-only: every mutating service refuses."""
    if case.is_archived:
        raise Conflict(_("Ärendet är arkiverat och kan inte ändras."))


def ensure_visible(actor: User, case: Case) -> None:
    """Open, and visible to the actor (else NotFound: never reveal a case)."""
    ensure_open(case)
    if not can_view_case(actor, case):
        raise NotFound("case not found")


def ensure_runner(actor: User, case: Case) -> None:
    """Open, visible, and the actor runs the case's procedure."""
    ensure_visible(actor, case)
    if not can_edit_stages(actor, case):
        raise PermissionDenied(_("Bara ärendets HR-handläggare driver förfarandet."))


def stage_of(code: str) -> Stage:
    """The stage named `code`; NotFound for an unknown one."""
    try:
        return Stage(code)
    except ValueError:
        raise NotFound("unknown stage") from None


def record_of(case: Case, code: str) -> StageRecord:
    """The current round of stage `code`."""
    rec = current_records(case).get(stage_of(code))
    if rec is None:  # pragma: no cover - every case has round 1 of every stage
        raise NotFound("stage record missing")
    return rec


def clean_text(value: Any, field: str) -> str:
    """Stripped text, refused when longer than TEXT_MAX."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("Texten är för lång (högst %(n)d tecken).", n=TEXT_MAX), field=field)
    return text


def raise_field_errors(errors: dict[str, str]) -> None:
    """Refuse with every field's message at once (the first one as the headline)."""
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors, field=next(iter(errors)))
