"""The case page's context, built with a fixed number of queries (no N+1)."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure
from tracker.procedure import deadlines as dl
from tracker.procedure import forms as pf
from tracker.procedure import gates
from tracker.procedure import services as ps
from tracker.procedure.models import StageStatus
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.procedure.stages import STAGES, stage_label


_LABELS_BY_LOCALE: dict[str, dict[str, str]] = {}


def content_labels() -> dict[str, str]:
    """Field name -> translated label of every stage content field (built once per locale)."""
    from flask_babel import get_locale

    locale = str(get_locale())
    cached = _LABELS_BY_LOCALE.get(locale)
    if cached is None:
        cached = _LABELS_BY_LOCALE[locale] = _build_content_labels()
    return dict(cached)


def _build_content_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for cls in pf.CONTENT_FORMS.values():
        for name in dir(cls):
            unbound = getattr(cls, name)
            if hasattr(unbound, "field_class") and unbound.args:
                labels[name] = str(unbound.args[0])
    return labels


def _content_form(code: str, rec) -> Any:
    cls = pf.CONTENT_FORMS.get(code)
    if cls is None:
        return None
    data = dict(rec.content or {}) if rec else {}
    if code == "grounds":
        data["documents_tabled"] = "\n".join(data.get("documents_tabled") or [])
    for key in ("information_given_on",):
        if data.get(key):
            from datetime import date

            data[key] = date.fromisoformat(data[key])
    if code == "early_information" and rec and rec.proposal_delivered_at:
        from tracker.timeutil import to_local

        data["proposal_delivered_at"] = to_local(rec.proposal_delivered_at).replace(tzinfo=None)
    return cls(data=data, prefix=code)


def _stage_forms(cls, key: str, forms: dict, current: dict, wanted) -> dict[str, Any]:
    """One form per stage with a unique prefix (unique ids on the page); a failed one keeps its input."""
    failed = forms.pop(key, None)
    failed_stage = forms.pop(f"{key}_stage", None)
    out = {}
    for code, rec in current.items():
        if failed is not None and code == failed_stage:
            out[code] = failed
        elif wanted(rec):
            out[code] = cls(prefix=f"{key}-{code}", formdata=None)
    return out


def case_context(case: Case, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    user = current_user
    rounds = ps.all_records(case)
    current = {r.stage_code: r for r in rounds if r.superseded_at is None}
    frozen: dict[str, list] = {code: [] for code in STAGES}
    for r in rounds:
        if r.superseded_at is not None:
            frozen[r.stage_code].append(r)
    overrides = ps.overrides_of(case)
    requests = ps.central_requests_of(case)
    facts = ps._facts(case, current, ps._first_meetings([case.id]).get(case.id), requests,
                      (o.deadline_code for o in overrides))
    today = ps.today()
    deadlines = dl.compute(facts, today)
    runner = can_run_procedure(user, case)
    gate_reasons: dict[str, list[str]] = {}
    for code in STAGES:
        rec = current.get(code)
        if rec is None or case.is_archived:
            continue
        if rec.status == StageStatus.ACTIVE:
            gate_reasons[code] = gates.completion_reasons(case, code, current)
    try:
        profile = get_profile(case.profile_code)
    except ProfileError:
        profile = None
    forms = dict(forms or {})
    content_forms = {}
    if runner:
        for code, rec in current.items():
            if rec.status == StageStatus.ACTIVE and code in pf.CONTENT_FORMS:
                content_forms[code] = forms.pop(f"content:{code}", None) or _content_form(code, rec)
    may_position = ps.can_add_position(user, case)
    position_party = ps.position_party(user, case) if may_position else None
    closing = current.get("closing")
    decision = current.get("decision")
    evaluation = current.get("evaluation")
    pending_request = next((r for r in requests if r.is_pending), None)
    from tracker.access import Permission, has_permission

    may_request_central = bool(
        may_position and position_party == "personnel"
        and has_permission(user, Permission.CENTRAL_NEGOTIATION_REQUEST)
        and profile is not None and profile.central_negotiation_enabled
        and dl.central_window_ends(facts) is not None and pending_request is None and not case.is_archived)
    decision_open = decision is not None and decision.status != StageStatus.COMPLETED
    can_decide = decision_open and ps.can_register_decision(user, case)
    ctx = dict(
        case=case, profile=profile, stages=STAGES, stage_label=stage_label, records=current, frozen=frozen,
        deadlines=deadlines, next_deadline=dl.next_deadline(deadlines, today), overrides=overrides,
        central_requests=requests, pending_request=pending_request, gate_reasons=gate_reasons, runner=runner,
        content_forms=content_forms, may_position=may_position, position_party=position_party,
        position_forms=_stage_forms(pf.PositionForm, "position", forms, current,
                                    lambda r: r.status != StageStatus.PENDING),
        action_form=pf.ActionForm(),
        reopen_forms=_stage_forms(pf.ReopenForm, "reopen", forms, current,
                                  lambda r: r.status == StageStatus.COMPLETED),
        end_form=forms.pop("end", None) or pf.EndNegotiationForm(prefix="end"),
        may_end=runner and closing is not None and closing.status == StageStatus.ACTIVE,
        central_form=forms.pop("central", None) or pf.CentralRequestForm(prefix="central"),
        central_end_form=forms.pop("central_end", None) or pf.CentralEndForm(prefix="central_end"),
        may_request_central=may_request_central,
        urgent_form=forms.pop("urgent", None) or pf.UrgentDecisionForm(prefix="urgent"),
        may_urgent=(profile is not None and profile.allows_urgent_decision and not case.urgent_reason
                    and decision_open and (runner or ps.can_register_decision(user, case))),
        decision_form=forms.pop("decision", None) or pf.DecisionForm(prefix="decision",
                                                                    data={"body": case.decision_body}),
        can_decide=can_decide,
        decision_blockers=ps.decision_blockers(case) if can_decide else [],
        override_form=forms.pop("override", None) or pf.OverrideForm(prefix="override"),
        can_override=ps.can_override(user, case),
        approve_form=forms.pop("approve", None) or pf.ApproveEvaluationForm(prefix="approve"),
        may_approve=(evaluation is not None and evaluation.status == StageStatus.ACTIVE
                     and ps.can_approve_evaluation(user, case)),
        may_archive=(runner and evaluation is not None and evaluation.status == StageStatus.COMPLETED),
        archive_reasons=gates.archive_reasons(case, current) if runner else [],
        today=today, field_labels=content_labels(),
        end_mode_labels={k: str(v) for k, v in pf.END_MODES},
        party_labels={k: str(v) for k, v in pf.PARTIES if k},
    )
    return ctx


def render_case(case: Case, forms: dict[str, Any] | None = None, status: int = 200):
    from tracker.cases.services import can_edit_case

    ctx = case_context(case, forms)
    ctx["can_edit"] = can_edit_case(current_user, case)
    return render_template("cases/detail.html", **ctx), status
