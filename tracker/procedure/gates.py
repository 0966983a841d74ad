"""Stage gates, all in one place. `reasons_closed(case, stage)` lists EVERY reason the stage's
next action (start when pending, complete when active) is refused; empty = the gate is open.

Rules that use other features' models import them inside the function; a feature that is not
installed counts as "no rows".
"""
from __future__ import annotations

import importlib

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.cases.models import Case
from tracker.extensions import db
from tracker.modules import module_exists
from tracker.procedure.models import StageRecord, StageStatus
from tracker.procedure.stages import STAGES, stage_index, stage_label


def _model(module: str, name: str):
    if not module_exists(module):
        return None
    return getattr(importlib.import_module(module), name, None)


def _records(case: Case) -> dict[str, StageRecord]:
    from tracker.procedure.services import current_records

    return current_records(case)


def _profile(case: Case):
    from tracker.procedure.profiles import get_profile

    return get_profile(case.profile_code)


def steering_reasons(case: Case) -> list[str]:
    """Both parties represented; in a large case every unit by a personnel member."""
    from tracker.steering.models import Party, SteeringMember

    members = db.session.execute(
        select(SteeringMember.party, SteeringMember.units)
        .where(SteeringMember.case_id == case.id, SteeringMember.left_at.is_(None))
    ).all()
    reasons = []
    parties = {m.party for m in members}
    if Party.EMPLOYER not in parties:
        reasons.append(_("Styrnings- och uppföljningsgruppen saknar en företrädare för arbetsgivaren."))
    if Party.PERSONNEL not in parties:
        reasons.append(_("Styrnings- och uppföljningsgruppen saknar en företrädare för personalen."))
    if case.is_large:
        covered: set[str] = set()
        for m in members:
            if m.party == Party.PERSONNEL:
                covered.update(m.units or ())
        for unit in case.unit_names:
            if unit not in covered:
                reasons.append(_("Enheten %(unit)s saknar en personalföreträdare i styrnings- och uppföljningsgruppen.", unit=unit))
    return reasons


def risk_reasons(case: Case, stage_code: str) -> list[str]:
    """effects: an assessment (se-mbl) / co-signed or waived (fi); closing: co-signed when required."""
    profile = _profile(case)
    RiskAssessment = _model("tracker.risk.models", "RiskAssessment")
    rows = [] if RiskAssessment is None else db.session.execute(
        select(RiskAssessment.cosigned_at, RiskAssessment.waiver_reason).where(RiskAssessment.case_id == case.id)
    ).all()
    cosigned = any(r.cosigned_at is not None for r in rows)
    waived = any(r.waiver_reason for r in rows) and profile.allows_risk_assessment_waiver
    if stage_code == "effects":
        if not rows:
            return [_("Ingen risk- och konsekvensanalys är bifogad.")]
        if not profile.requires_risk_assessment_cosigned and not (cosigned or waived):
            return [_("Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud och inget skäl är angivet.")]
        return []
    if stage_code == "closing" and profile.requires_risk_assessment_cosigned and not cosigned:
        if not rows:
            return [_("Ingen risk- och konsekvensanalys är bifogad.")]
        return [_("Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud.")]
    return []


def open_counter_proposal_count(case: Case) -> int:
    CounterProposal = _model("tracker.discussion.models", "CounterProposal")
    if CounterProposal is None:
        return 0
    return db.session.execute(
        select(func.count(CounterProposal.id)).where(
            CounterProposal.case_id == case.id, CounterProposal.answered_at.is_(None),
            CounterProposal.withdrawn_at.is_(None))
    ).scalar_one()


def completion_reasons(case: Case, stage_code: str, records: dict[str, StageRecord] | None = None) -> list[str]:
    """Why the active stage `stage_code` cannot be completed now."""
    from tracker.procedure import deadlines as dl
    from tracker.procedure.services import facts_for

    records = records if records is not None else _records(case)
    rec = records.get(stage_code)
    content = (rec.content or {}) if rec else {}
    profile = _profile(case)
    reasons: list[str] = []
    if stage_code == "early_information":
        if not (content.get("information_given") or "").strip():
            reasons.append(_("Ange vilken information som har getts."))
        if not content.get("information_given_on"):
            reasons.append(_("Ange när informationen gavs."))
        if profile.requires_proposal_when_reductions and case.may_reduce_staff and not (
                rec and rec.proposal_delivered_at):
            reasons.append(_("Den skriftliga förhandlingsframställan är inte lämnad."))
        reasons.extend(steering_reasons(case))
    elif stage_code == "grounds":
        if not (content.get("reasons") or "").strip():
            reasons.append(_("Ange grunderna för förändringen."))
    elif stage_code == "effects":
        if not any((content.get(k) or "").strip() for k in ("effects_staff", "effects_units", "effects_conditions")):
            reasons.append(_("Beskriv förändringens verkningar."))
        reasons.extend(risk_reasons(case, "effects"))
    elif stage_code == "alternatives":
        count = open_counter_proposal_count(case)
        if count:
            reasons.append(_("%(n)d motförslag saknar arbetsgivarens svar.", n=count))
    elif stage_code == "closing":
        if not (rec and rec.negotiation_ended_at and rec.end_mode):
            reasons.append(_("Förhandlingens avslutning (tid och sätt) är inte registrerad."))
        facts = facts_for(case, records)
        met_on = dl.min_period_met_on(facts)
        days = dl.min_negotiation_days(facts)
        if days and met_on is None:
            reasons.append(_("Minsta förhandlingstid kan inte räknas: inget möte är hållet."))
        elif met_on is not None and (facts.negotiation_ended_on is None or facts.negotiation_ended_on < met_on):
            reasons.append(_("Minsta förhandlingstid är uppfylld först %(day)s.", day=met_on.isoformat()))
        if dl.central_negotiation_pending(facts):
            reasons.append(_("En central förhandling pågår."))
        reasons.extend(risk_reasons(case, "closing"))
    elif stage_code == "decision":
        reasons.append(_("Beslutet registreras av beslutsfattaren."))
    elif stage_code == "evaluation":
        if not (content.get("report") or "").strip():
            reasons.append(_("Utvärderingsrapporten saknas."))
        reasons.append(_("Rapporten godkänns av styrnings- och uppföljningsgruppen."))
    return reasons


def start_reasons(case: Case, stage_code: str, records: dict[str, StageRecord] | None = None) -> list[str]:
    """Why a pending stage cannot start: the earlier stages are not completed."""
    records = records if records is not None else _records(case)
    i = stage_index(stage_code)
    reasons = []
    for code in STAGES[:i]:
        rec = records.get(code)
        if rec is None or rec.status != StageStatus.COMPLETED:
            reasons.append(_("Steget %(stage)s är inte avslutat.", stage=stage_label(code)))
            break
    if stage_code == "grounds":
        reasons.extend(steering_reasons(case))
    return reasons


def reasons_closed(case: Case, stage_code: str) -> list[str]:
    """Every reason the stage's next action is refused (translated); empty = gate open."""
    if stage_code not in STAGES:
        raise ValueError(f"unknown stage {stage_code!r}")
    if case.is_archived:
        return [_("Ärendet är arkiverat.")]
    records = _records(case)
    rec = records.get(stage_code)
    if rec is None or rec.status == StageStatus.PENDING:
        return start_reasons(case, stage_code, records)
    if rec.status == StageStatus.ACTIVE:
        return completion_reasons(case, stage_code, records)
    return []


def decision_reasons(case: Case, records: dict[str, StageRecord] | None = None) -> list[tuple[str, str]]:
    """(code, reason) pairs blocking the registration of a decision, apart from deadlines."""
    from tracker.procedure.deadlines import CLOSING_NOT_ENDED

    records = records if records is not None else _records(case)
    out: list[tuple[str, str]] = []
    closing = records.get("closing")
    if not (closing and closing.status == StageStatus.COMPLETED) and not case.urgent_reason:
        out.append((CLOSING_NOT_ENDED, _("Förhandlingarna är inte avslutade (steget Avslutande är inte klart).")))
    return out


def archive_reasons(case: Case, records: dict[str, StageRecord] | None = None) -> list[str]:
    records = records if records is not None else _records(case)
    out = []
    ev = records.get("evaluation")
    if not (ev and ev.status == StageStatus.COMPLETED):
        out.append(_("Utvärderingen är inte godkänd."))
    closing = records.get("closing")
    if case.urgent_reason and not (closing and closing.status == StageStatus.COMPLETED):
        out.append(_("Efter ett brådskande beslut måste förhandlingen genomföras innan ärendet arkiveras."))
    return out
