"""The case's summary header: diary number, status, the reader's next action, what locks the
procedure, the most pressing deadline. Plain data from the procedure panel; no query of its own."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from tracker.cases.labels import case_status_label
from tracker.i18n import gettext as _
from tracker.procedure import deadlines as dl
from tracker.procedure.panel import ProcedurePanel, StageView


@dataclass(frozen=True)
class NextAction:
    """What the reader should do next on this case, and where (None: nothing waits for them)."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class StepStatus:
    """One stage in the stepper: its link, and its status in words (never colour alone)."""

    code: str
    number: int
    label: str
    status: str  # pending / active / completed (a CSS class)
    status_text: str
    is_current: bool
    url: str


@dataclass(frozen=True)
class Summary:
    """The header of every view of a case."""

    status_text: str
    stage_label: str
    next_action: NextAction
    locks: tuple[str, ...]
    next_deadline: dl.Deadline | None
    steps: tuple[StepStatus, ...]


def _status_text(view: StageView) -> str:
    if view.status == "completed":
        return _("Avslutat")
    if view.status == "active":
        return _("Pågår")
    return _("Väntar")


def _stage_url(case_id: int, code: str, anchor: str = "") -> str:
    return url_for("cases.stage", case_id=case_id, code=code) + anchor


def next_action(proc: ProcedurePanel) -> NextAction:
    """The first thing on the procedure this reader may do now."""
    case = proc.case
    current = proc.stage(case.current_stage)
    here = current.label
    if case.is_archived:
        return NextAction(_("Ärendet är arkiverat; inget återstår."))
    if proc.may_archive:
        return NextAction(_("Arkivera ärendet"), url_for("procedure.archive", case_id=case.id))
    if proc.can_decide and current.code == "decision":
        return NextAction(_("Registrera beslutet"), url_for("procedure.register_decision", case_id=case.id))
    if proc.may_approve:
        return NextAction(_("Registrera gruppens godkännande av utvärderingen"),
                          _stage_url(case.id, current.code, "#approve"))
    if proc.may_end:
        return NextAction(_("Registrera förhandlingens avslutning"),
                          url_for("procedure.end_negotiation", case_id=case.id))
    if current.may_complete and current.gate_reasons:
        return NextAction(_("Åtgärda det som spärrar skedet %(stage)s", stage=here),
                          _stage_url(case.id, current.code, "#stage-actions"))
    if current.may_complete:
        return NextAction(_("Avsluta skedet %(stage)s", stage=here),
                          url_for("procedure.complete", case_id=case.id, code=current.code))
    if current.may_position:
        return NextAction(_("Lägg till er ståndpunkt i skedet %(stage)s", stage=here),
                          _stage_url(case.id, current.code, "#stage-actions"))
    return NextAction(_("Ingen åtgärd väntar på dig i skedet %(stage)s.", stage=here))


def locks(proc: ProcedurePanel) -> tuple[str, ...]:
    """What keeps the procedure from moving on, as the reader may see it."""
    out: list[str] = []
    if proc.case.is_archived:
        out.append(_("Ärendet är arkiverat och kan inte ändras."))
    current = proc.stage(proc.case.current_stage)
    out.extend(current.gate_reasons)
    out.extend(reason for _code, reason, _earliest in proc.decision_blockers)
    if proc.pending_request is not None:
        out.append(_("Central förhandling pågår: beslutet är spärrat tills den är avslutad."))
    return tuple(dict.fromkeys(out))


def summarise(proc: ProcedurePanel) -> Summary:
    """The summary header of the case of `proc`."""
    case = proc.case
    steps = tuple(StepStatus(code=view.code, number=view.number, label=view.label, status=view.status,
                             status_text=_status_text(view), is_current=view.is_current,
                             url=_stage_url(case.id, view.code))
                  for view in proc.stages)
    return Summary(status_text=case_status_label(case.status), stage_label=proc.stage(case.current_stage).label,
                   next_action=next_action(proc), locks=locks(proc), next_deadline=proc.next_deadline, steps=steps)
