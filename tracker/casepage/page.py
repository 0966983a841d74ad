"""`compose(user, case, stage=...)`: the panels of one case as one view shows them, and the forms
they permit.

The case page shows the summary, the stepper and the current stage; each stage has its own view
(`/cases/<id>/stages/<stage>`) with that stage's record, discussion, meetings and documents. So
the per-stage panels (discussion, meetings, documents) are built for the shown stage only, and
the procedure's per-stage forms only for the shown stage; the case-wide panels (steering group,
exports, audit) only on the case page itself.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.audit import forms as audit_forms
from tracker.audit import queries as audit_queries
from tracker.auth.models import User
from tracker.casepage.summary import Summary, summarise
from tracker.cases.models import Case
from tracker.discussion import forms as discussion_forms
from tracker.discussion import queries as discussion_queries
from tracker.documents import queries as documents_queries
from tracker.exports import forms as exports_forms
from tracker.exports import queries as exports_queries
from tracker.meetings import queries as meetings_queries
from tracker.procedure import panel as procedure_panel
from tracker.procedure import panel_forms as procedure_panel_forms
from tracker.procedure.stages import Stage
from tracker.steering import forms as steering_forms
from tracker.steering import queries as steering_queries


@dataclass(frozen=True)
class PanelForms:
    """The forms each panel offers (None where the reader may not act)."""

    procedure: Any = None
    steering: Any = None
    meetings: Any = None
    documents: Any = None
    discussion: Any = None
    exports: Any = None
    audit: Any = None
    risk: Any = None


@dataclass(frozen=True)
class CasePage:
    """Everything one view of the case shows, per feature."""

    case: Case
    procedure: procedure_panel.ProcedurePanel
    summary: Summary
    shown: procedure_panel.StageView  # the stage this view shows (the current one on the case page)
    stage_view: bool = False  # the stage's own view, not the case page
    steering: Any = None
    meetings: Any = None
    documents: Any = None
    discussion: Any = None
    exports: Any = None
    audit: Any = None
    risk: Any = None
    forms: PanelForms = field(default_factory=PanelForms)


# (feature, panel(user, case, stage), panel_forms(panel) or None). The procedure comes first and is
# required; every other feature adds its line here. Per-stage panels get the shown stage.
Builder = tuple[str, Callable[[User, Case, Stage], Any], Callable[[Any], Any] | None]
# Documents and meetings link to their own forms (upload, schedule): no forms on this page.
STAGE_PANELS: tuple[Builder, ...] = (
    ("documents", lambda user, case, stage: documents_queries.panel(user, case, stage=stage), None),
    ("discussion", lambda user, case, stage: discussion_queries.panel(user, case, stage=stage),
     discussion_forms.panel_forms),
)
# On a stage's view: the meetings of that stage; on the case page: every meeting (a short list, and
# minutes waiting for approval or disputed matter whatever their stage).
STAGE_VIEW_PANELS: tuple[Builder, ...] = (
    ("meetings", lambda user, case, stage: meetings_queries.panel(user, case, stage=stage), None),
)
# Case-wide panels: on the case page only.
CASE_PANELS: tuple[Builder, ...] = (
    ("meetings", lambda user, case, _stage: meetings_queries.panel(user, case), None),
    ("exports", lambda user, case, _stage: exports_queries.panel(user, case), exports_forms.panel_forms),
    ("audit", lambda user, case, _stage: audit_queries.panel(user, case), audit_forms.panel_forms),
    ("steering", lambda user, case, _stage: steering_queries.panel(user, case), steering_forms.panel_forms),
)


def _failed_for(feature: str, failed: dict[str, Any]) -> dict[str, Any]:
    """The failed forms of one feature, keyed by form name ("procedure.end" -> "end")."""
    out = {key.split(".", 1)[1]: form for key, form in failed.items() if key.startswith(feature + ".")}
    # Per-stage forms may also be named by a form plus its stage ("position" + "position_stage").
    for name in ("position", "reopen"):
        stage = out.pop(f"{name}_stage", None)
        if stage is not None and name in out:
            out[f"{name}:{stage}"] = out.pop(name)
    return out


def with_failed(forms: Any, failed: dict[str, Any]) -> Any:
    """`forms` (a dataclass of forms) with each failed form in place of its blank one: "name"
    replaces the field `name`, "name:key" the entry `key` of the dict field `name`."""
    changes: dict[str, Any] = {}
    for name, form in failed.items():
        base, _, key = name.partition(":")
        if forms is None or base not in {f.name for f in dataclasses.fields(forms)}:
            continue
        if key:
            changes[base] = {**changes.get(base, getattr(forms, base)), key: form}
        else:
            changes[base] = form
    return dataclasses.replace(forms, **changes) if changes else forms


def compose(user: User, case: Case, *, stage: Stage | str | None = None,
            failed: dict[str, Any] | None = None) -> CasePage:
    """The view of `case` as `user` sees it: the case page (`stage` None: the current stage shown)
    or the view of one stage."""
    failed = failed or {}
    shown = Stage(stage or case.current_stage)
    procedure = procedure_panel.panel(user, case, shown=shown)
    panels: dict[str, Any] = {"procedure": procedure}
    forms: dict[str, Any] = {"procedure": procedure_panel_forms.panel_forms(
        procedure, _failed_for("procedure", failed), stage=shown)}
    builders = STAGE_PANELS + (STAGE_VIEW_PANELS if stage is not None else CASE_PANELS)
    for feature, build_panel, build_forms in builders:
        panels[feature] = build_panel(user, case, shown)
        if build_forms is not None:
            forms[feature] = with_failed(build_forms(panels[feature]), _failed_for(feature, failed))
    return CasePage(case=case, summary=summarise(procedure), shown=procedure.stage(shown),
                    stage_view=stage is not None, forms=PanelForms(**forms), **panels)
