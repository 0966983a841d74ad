"""`compose(user, case)`: every feature's panel of one case, and the forms they permit."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.audit import forms as audit_forms
from tracker.audit import queries as audit_queries
from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.discussion import forms as discussion_forms
from tracker.discussion import queries as discussion_queries
from tracker.documents import forms as documents_forms
from tracker.documents import queries as documents_queries
from tracker.exports import forms as exports_forms
from tracker.exports import queries as exports_queries
from tracker.meetings import forms as meetings_forms
from tracker.meetings import queries as meetings_queries
from tracker.procedure import panel as procedure_panel
from tracker.procedure import panel_forms as procedure_panel_forms
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
    """Everything the case page shows, per feature."""

    case: Case
    procedure: procedure_panel.ProcedurePanel
    steering: Any = None
    meetings: Any = None
    documents: Any = None
    discussion: Any = None
    exports: Any = None
    audit: Any = None
    risk: Any = None
    forms: PanelForms = field(default_factory=PanelForms)


# (feature, panel(user, case), panel_forms(panel) or None). The procedure comes first and is
# required; every other feature adds its line here.
Builder = tuple[str, Callable[[User, Case], Any], Callable[[Any], Any] | None]
FEATURE_PANELS: tuple[Builder, ...] = (
    ("documents", documents_queries.panel, documents_forms.panel_forms),
    ("exports", exports_queries.panel, exports_forms.panel_forms),
    ("audit", audit_queries.panel, audit_forms.panel_forms),
    ("steering", steering_queries.panel, steering_forms.panel_forms),
    ("meetings", meetings_queries.panel, meetings_forms.panel_forms),
    ("discussion", discussion_queries.panel, discussion_forms.panel_forms),
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


def compose(user: User, case: Case, *, failed: dict[str, Any] | None = None) -> CasePage:
    """The case page of `case` as `user` sees it."""
    failed = failed or {}
    procedure = procedure_panel.panel(user, case)
    panels: dict[str, Any] = {"procedure": procedure}
    forms: dict[str, Any] = {
        "procedure": procedure_panel_forms.panel_forms(procedure, _failed_for("procedure", failed))}
    for feature, build_panel, build_forms in FEATURE_PANELS:
        panels[feature] = build_panel(user, case)
        if build_forms is not None:
            forms[feature] = with_failed(build_forms(panels[feature]), _failed_for(feature, failed))
    return CasePage(case=case, forms=PanelForms(**forms), **panels)
