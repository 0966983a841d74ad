"""The case page's context, built with a fixed number of queries (no N+1)."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from tracker.cases.models import Case
from tracker.cases.policy import can_run_procedure
from tracker.procedure import deadlines as dl
from tracker.procedure import forms as pf
from tracker.procedure import policy as pp
from tracker.procedure import queries as pq
from tracker.procedure.labels import END_MODE_LABELS
from tracker.procedure.models import StageStatus
from tracker.procedure.profiles import ProfileError, get_profile
from tracker.procedure.stages import STAGES, Stage, stage_label

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


def _content_form(code: Stage, rec) -> Any:
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
    """One form per stage with a unique prefix (unique ids on the page); a failed one (key
    "<key>:<stage>") keeps its input."""
    out = {}
    for code, rec in current.items():
        failed = forms.pop(f"{key}:{code}", None)
        if failed is not None:
            out[code] = failed
        elif wanted(rec):
            out[code] = cls(prefix=f"{key}-{code}", formdata=None)
    return out


def case_context(case: Case, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    user = current_user
    rounds = pq.all_records(case)
    current = {Stage(r.stage_code): r for r in rounds if r.superseded_at is None}
    frozen: dict[str, list] = {code: [] for code in STAGES}
    for r in rounds:
        if r.superseded_at is not None:
            frozen[r.stage_code].append(r)
    overrides = pq.overrides_of(case)
    requests = pq.central_requests_of(case)
    gate_facts = pq.gate_facts(case, current, requests=requests, overrides=overrides)
    facts = gate_facts.deadlines
    today = pq.today()
    deadlines = dl.compute(facts, today)
    runner = can_run_procedure(user, case)
    gate_reasons = pq.gate_reasons(case, current, gate_facts)
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
    party = pq.position_party(user, case)
    may_position = pp.can_add_position(user, case, party=party)
    position_party = party if may_position else None
    closing = current.get(Stage.CLOSING)
    decision = current.get(Stage.DECISION)
    evaluation = current.get(Stage.EVALUATION)
    pending_request = next((r for r in requests if r.is_pending), None)
    may_request_central = bool(
        pp.can_request_central_negotiation(user, case, party=party)
        and profile is not None and profile.settings.central_negotiation_enabled
        and dl.central_window_ends(facts) is not None and pending_request is None)
    decision_open = decision is not None and decision.status != StageStatus.COMPLETED
    can_decide = decision_open and pp.can_register_decision(user, case)
    ctx = dict(
        case=case, profile=profile, stages=STAGES, stage_label=stage_label, records=current, frozen=frozen,
        deadlines=deadlines, next_deadline=dl.next_deadline(deadlines, today), overrides=overrides,
        central_requests=requests, pending_request=pending_request, gate_reasons=gate_reasons, runner=runner,
        content_forms=content_forms, may_position=may_position, position_party=position_party,
        position_forms=_stage_forms(pf.PositionForm, "position", forms, current,
                                    lambda r: r.status != StageStatus.PENDING),
        action_form=pf.CsrfForm(),
        reopen_forms=_stage_forms(pf.ReopenForm, "reopen", forms, current,
                                  lambda r: r.status == StageStatus.COMPLETED) if pp.can_reopen(user, case) else {},
        end_form=forms.pop("end", None) or pf.EndNegotiationForm(prefix="end"),
        may_end=runner and closing is not None and closing.status == StageStatus.ACTIVE,
        central_form=forms.pop("central", None) or pf.CentralRequestForm(prefix="central"),
        central_end_form=forms.pop("central_end", None) or pf.CentralEndForm(prefix="central_end"),
        may_request_central=may_request_central,
        urgent_form=forms.pop("urgent", None) or pf.UrgentDecisionForm(prefix="urgent"),
        may_urgent=(profile is not None and profile.settings.allows_urgent_decision and not case.urgent_reason
                    and decision_open and pp.can_record_urgent_decision(user, case)),
        decision_form=forms.pop("decision", None) or pf.DecisionForm(prefix="decision",
                                                                    data={"body": case.decision_body}),
        can_decide=can_decide,
        decision_blockers=pq.decision_blockers(case) if can_decide else [],
        override_form=forms.pop("override", None) or pf.OverrideForm(prefix="override"),
        can_override=pp.can_override(user, case),
        approve_form=forms.pop("approve", None) or pf.ApproveEvaluationForm(prefix="approve"),
        may_approve=(evaluation is not None and evaluation.status == StageStatus.ACTIVE
                     and pp.can_approve_evaluation(user, case, is_chair=pq.is_chair(user, case))),
        may_archive=(runner and evaluation is not None and evaluation.status == StageStatus.COMPLETED),
        archive_reasons=pq.archive_reasons(case, current) if runner else [],
        today=today, field_labels=content_labels(),
        end_mode_labels={k: str(v) for k, v in END_MODE_LABELS.items()},
        party_labels={k: str(v) for k, v in pf.PARTIES if k},
    )
    return ctx


def render_case(case: Case, forms: dict[str, Any] | None = None, status: int = 200):
    from tracker.cases.services import can_edit_case

    ctx = case_context(case, forms)
    ctx["can_edit"] = can_edit_case(current_user, case)
    return render_template("cases/detail.html", **ctx), status
