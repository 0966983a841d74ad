"""The procedure panel's forms: blank forms for exactly what the panel permits, each with its own
prefix so ids on the case page are unique. A failed form replaces its blank one by name.

The forms of legal milestones (reopening a stage, recording the end of negotiations, registering
the decision, overriding a deadline) are not here: each lives on its own confirmation page
(`milestone_form`), which states the consequence before the POST performs it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_wtf import FlaskForm

from tracker.procedure import forms as pf
from tracker.procedure.panel import ProcedurePanel
from tracker.procedure.stage_rounds import StageRound
from tracker.timeutil import to_local
from tracker.web.forms import CsrfForm


@dataclass(frozen=True)
class ProcedurePanelForms:
    """Forms keyed as the views name them in `failed={"procedure.<name>": form}`."""

    action: FlaskForm
    content: dict[str, FlaskForm] = field(default_factory=dict)
    position: dict[str, FlaskForm] = field(default_factory=dict)
    central: FlaskForm | None = None
    central_end: FlaskForm | None = None
    urgent: FlaskForm | None = None
    approve: FlaskForm | None = None
    assign_dm: FlaskForm | None = None
    end_dm: dict[str, FlaskForm] = field(default_factory=dict)
    material: dict[str, FlaskForm] = field(default_factory=dict)
    statement: FlaskForm | None = None


def _content_data(code: str, rec: StageRound) -> dict[str, Any]:
    data = dict(rec.content or {})
    if code == "grounds":
        data["documents_tabled"] = "\n".join(data.get("documents_tabled") or [])
    if data.get("information_given_on"):
        data["information_given_on"] = date.fromisoformat(data["information_given_on"])
    if code == "early_information" and rec.proposal_delivered_at:
        data["proposal_delivered_at"] = to_local(rec.proposal_delivered_at).replace(tzinfo=None)
    return data


def _per_stage(failed: dict[str, Any], key: str, wanted: dict[str, bool], build: Any) -> dict[str, FlaskForm]:
    """One form per wanted stage; `failed["<key>:<stage>"]` (a submitted form) takes its place."""
    return {code: failed.get(f"{key}:{code}") or build(code) for code, ok in wanted.items() if ok}


def milestone_form(name: str, panel: ProcedurePanel, stage: str = "") -> FlaskForm:
    """The blank form of a milestone's confirmation page ("reopen", "end", "decision", "override")."""
    if name == "reopen":
        return pf.ReopenForm(prefix=f"reopen-{stage}", formdata=None)
    if name == "end":
        return pf.EndNegotiationForm(prefix="end", formdata=None)
    if name == "decision":
        return pf.DecisionForm(prefix="decision", formdata=None, data={"body": panel.case.decision_body})
    if name == "override":
        return pf.OverrideForm(prefix="override", formdata=None)
    raise KeyError(name)


def panel_forms(panel: ProcedurePanel, failed: dict[str, Any] | None = None,
                stage: str | None = None) -> ProcedurePanelForms:
    """Blank forms for what `panel` permits (the per-stage ones for `stage` only, when given);
    `failed` maps form names to submitted forms."""
    failed = dict(failed or {})
    views = {view.code: view for view in panel.stages if stage is None or view.code == stage}
    content = _per_stage(failed, "content", {c: v.may_edit_content for c, v in views.items()},
                         lambda code: pf.CONTENT_FORMS[code](data=_content_data(code, views[code].record), prefix=code))
    position = _per_stage(failed, "position", {c: v.may_position for c, v in views.items()},
                          lambda code: pf.PositionForm(prefix=f"position-{code}", formdata=None))

    def one(name: str, allowed: bool, build: Any) -> FlaskForm | None:
        if not allowed:
            return None
        return failed.get(name) or build()

    extras = panel.extras

    def assign_form() -> FlaskForm:
        form = pf.AssignDecisionMakerForm(prefix="assign_dm", formdata=None)
        form.user_id.choices = [(str(uid), name) for uid, name in extras.candidates]
        return form

    end_dm = {str(row.id): failed.get(f"end_dm:{row.id}") or pf.EndDecisionMakerForm(prefix=f"end_dm-{row.id}",
                                                                                       formdata=None)
              for row in extras.current_decision_makers} if extras.may_assign else {}
    material = {str(row.id): failed.get(f"material:{row.id}") or pf.MaterialChangeForm(prefix=f"material-{row.id}",
                                                                                         formdata=None)
                for row in extras.material_changes} if extras.may_resolve_material else {}
    return ProcedurePanelForms(
        assign_dm=one("assign_dm", extras.may_assign and bool(extras.candidates), assign_form),
        end_dm=end_dm, material=material,
        statement=one("statement", extras.may_export_statement,
                      lambda: pf.StatementExportForm(prefix="statement", formdata=None)),
        action=CsrfForm(),
        content=content, position=position,
        central=one("central", panel.may_request_central, lambda: pf.CentralRequestForm(prefix="central")),
        central_end=one("central_end", panel.may_end_central and panel.pending_request is not None,
                        lambda: pf.CentralEndForm(prefix="central_end")),
        urgent=one("urgent", panel.may_urgent, lambda: pf.UrgentDecisionForm(prefix="urgent")),
        approve=one("approve", panel.may_approve, lambda: pf.ApproveEvaluationForm(prefix="approve")),
    )
