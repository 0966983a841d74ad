"""Stage gates, all in one place, as PURE functions of the case, its current records and the
`GateFacts` gathered by `tracker.procedure.facts.gate_facts` (no query, no service).

`reasons_closed(case, stage, records, facts)` lists EVERY reason the stage's next action (start
when pending, complete when active) is refused; empty = the gate is open.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from tracker.cases.models import Case
from tracker.i18n import gettext as _
from tracker.procedure import deadlines as dl
from tracker.procedure.enums import DeadlineCode, Stage, StageStatus
from tracker.procedure.facts import GateFacts
from tracker.procedure.labels import stage_label
from tracker.procedure.record_dates import StageDates
from tracker.procedure.stage_rounds import StageRound
from tracker.procedure.stages import STAGES, stage_index
from tracker.steering.models import Party

Records = Mapping[Stage, StageRound]


def _text(content: Mapping[str, object], key: str) -> str:
    value = content.get(key)
    return value.strip() if isinstance(value, str) else ""


def steering_reasons(case: Case, facts: GateFacts) -> list[str]:
    """Both parties represented; in a large case every unit by a personnel member."""
    reasons = []
    if Party.EMPLOYER not in facts.parties_present:
        reasons.append(_("Styrnings- och uppföljningsgruppen saknar en företrädare för arbetsgivaren."))
    if Party.PERSONNEL not in facts.parties_present:
        reasons.append(_("Styrnings- och uppföljningsgruppen saknar en företrädare för personalen."))
    if case.is_large:
        for unit in case.unit_names:
            if unit not in facts.personnel_units:
                reasons.append(_("Enheten %(unit)s saknar en personalföreträdare i styrnings- och "
                                 "uppföljningsgruppen.", unit=unit))
    return reasons


def risk_reasons(stage_code: Stage, facts: GateFacts) -> list[str]:
    """effects: an assessment (se-mbl) / co-signed or waived (fi); closing: co-signed when required."""
    rules = facts.profile.settings
    waived = facts.risk_waiver_recorded and rules.allows_risk_assessment_waiver
    if stage_code == Stage.EFFECTS:
        if not facts.risk_assessed:
            return [_("Ingen risk- och konsekvensanalys är bifogad.")]
        if not rules.requires_risk_assessment_cosigned and not (facts.risk_cosigned or waived):
            return [_("Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud och inget skäl "
                      "är angivet.")]
        return []
    if stage_code == Stage.CLOSING and rules.requires_risk_assessment_cosigned and not facts.risk_cosigned:
        if not facts.risk_assessed:
            return [_("Ingen risk- och konsekvensanalys är bifogad.")]
        return [_("Risk- och konsekvensanalysen är inte medundertecknad av ett skyddsombud.")]
    return []


def _early_information_reasons(case: Case, rec: StageRound | None, facts: GateFacts) -> list[str]:
    content = (rec.content or {}) if rec else {}
    reasons = []
    if not _text(content, "information_given"):
        reasons.append(_("Ange vilken information som har getts."))
    if not content.get("information_given_on"):
        reasons.append(_("Ange när informationen gavs."))
    if facts.profile.settings.requires_proposal_when_reductions and case.may_reduce_staff and not (
            rec and rec.proposal_delivered_at):
        reasons.append(_("Den skriftliga förhandlingsframställan är inte lämnad."))
    return reasons + steering_reasons(case, facts)


def negotiation_reasons(rec: StageRound | None, facts: GateFacts) -> list[str]:
    """se-mbl: a negotiation was held (a meeting of this round covering the negotiated stages, with
    minutes approved by both parties where the profile asks for it), or the reason none was held
    is recorded (e.g. the union declined to negotiate)."""
    rules = facts.profile.settings
    if _text((rec.content or {}) if rec else {}, "no_meeting_reason"):
        return []
    reasons = []
    if rules.requires_negotiation_meeting:
        if not facts.held_meetings:
            reasons.append(_("Inget förhandlingsmöte är hållet i den här omgången. Håll ett möte, eller ange "
                             "varför inget hölls (till exempel att facket avböjt förhandling)."))
        else:
            missing = [code for code in facts.round_stages if code not in facts.held_meeting_stages]
            if missing:
                reasons.append(_("Förhandlingsmötena har inte behandlat: %(stages)s.",
                                 stages=", ".join(stage_label(code) for code in missing)))
    if rules.minutes_approved_by_both and not facts.approved_minutes:
        reasons.append(_("Inget protokoll från ett hållet förhandlingsmöte är justerat av båda parter."))
    return reasons


def _closing_reasons(rec: StageRound | None, facts: GateFacts) -> list[str]:
    reasons = negotiation_reasons(rec, facts)
    if not (rec and rec.negotiation_ended_at and rec.end_mode):
        reasons.append(_("Förhandlingens avslutning (tid och sätt) är inte registrerad."))
    engine = facts.deadlines
    met_on = dl.min_period_met_on(engine)
    if dl.min_negotiation_days(engine) and met_on is None:
        reasons.append(_("Minsta förhandlingstid kan inte räknas: inget möte är hållet."))
    elif met_on is not None and (engine.negotiation_ended_on is None or engine.negotiation_ended_on < met_on):
        reasons.append(_("Minsta förhandlingstid är uppfylld först %(day)s.", day=dl.day_text(met_on)))
    if dl.central_negotiation_pending(engine):
        reasons.append(_("En central förhandling pågår."))
    return reasons + risk_reasons(Stage.CLOSING, facts)


def completion_reasons(case: Case, stage_code: Stage, records: Records, facts: GateFacts) -> list[str]:
    """Why the active stage `stage_code` cannot be completed now."""
    rec = records.get(stage_code)
    content = (rec.content or {}) if rec else {}
    if stage_code == Stage.EARLY_INFORMATION:
        return _early_information_reasons(case, rec, facts)
    if stage_code == Stage.GROUNDS:
        return [] if _text(content, "reasons") else [_("Ange grunderna för förändringen.")]
    if stage_code == Stage.EFFECTS:
        described = any(_text(content, k) for k in ("effects_staff", "effects_units", "effects_conditions"))
        return ([] if described else [_("Beskriv förändringens verkningar.")]) + risk_reasons(Stage.EFFECTS, facts)
    if stage_code == Stage.ALTERNATIVES:
        count = facts.open_counter_proposals
        return [_("%(n)d motförslag saknar arbetsgivarens svar.", n=count)] if count else []
    if stage_code == Stage.CLOSING:
        return _closing_reasons(rec, facts)
    if stage_code == Stage.DECISION:
        return [_("Beslutet registreras av beslutsfattaren.")]
    reasons = [] if _text(content, "report") else [_("Utvärderingsrapporten saknas.")]
    return reasons + [_("Rapporten godkänns av styrnings- och uppföljningsgruppen.")]


def start_reasons(case: Case, stage_code: Stage, records: Records, facts: GateFacts) -> list[str]:
    """Why a pending stage cannot start: the earlier stages are not completed."""
    reasons = []
    for code in STAGES[:stage_index(stage_code)]:
        rec = records.get(code)
        if rec is None or rec.status != StageStatus.COMPLETED:
            reasons.append(_("Skedet %(stage)s är inte avslutat.", stage=stage_label(code)))
            break
    if stage_code == Stage.GROUNDS:
        reasons.extend(steering_reasons(case, facts))
    return reasons


def reasons_closed(case: Case, stage_code: Stage, records: Records, facts: GateFacts) -> list[str]:
    """Every reason the stage's next action is refused (translated); empty = gate open."""
    if stage_code not in STAGES:
        raise ValueError(f"unknown stage {stage_code!r}")
    if case.is_archived:
        return [_("Ärendet är arkiverat.")]
    rec = records.get(stage_code)
    if rec is None or rec.status == StageStatus.PENDING:
        return start_reasons(case, stage_code, records, facts)
    if rec.status == StageStatus.ACTIVE:
        return completion_reasons(case, stage_code, records, facts)
    return []


def gate_reasons(case: Case, records: Records, facts: GateFacts) -> dict[Stage, list[str]]:
    """The completion reasons of every active stage (none for an archived case)."""
    if case.is_archived:
        return {}
    return {code: completion_reasons(case, code, records, facts)
            for code in STAGES if (rec := records.get(code)) is not None and rec.status == StageStatus.ACTIVE}


def decision_reasons(case: Case, records: Mapping[Stage, StageDates]) -> list[tuple[DeadlineCode, str]]:
    """(code, reason) pairs blocking the registration of a decision, apart from deadlines."""
    closing = records.get(Stage.CLOSING)
    if not (closing and closing.status == StageStatus.COMPLETED) and not case.urgent_reason:
        return [(DeadlineCode.CLOSING_NOT_ENDED,
                 _("Förhandlingarna är inte avslutade (skedet Avslutande är inte klart)."))]
    return []


def archive_reasons(case: Case, records: Records) -> list[str]:
    """Why the case cannot be archived yet."""
    out = []
    evaluation = records.get(Stage.EVALUATION)
    if not (evaluation and evaluation.status == StageStatus.COMPLETED):
        out.append(_("Utvärderingen är inte godkänd."))
    closing = records.get(Stage.CLOSING)
    if case.urgent_reason and not (closing and closing.status == StageStatus.COMPLETED):
        out.append(_("Efter ett brådskande beslut måste förhandlingen genomföras innan ärendet arkiveras."))
    return out


Blocker = tuple[DeadlineCode, str, date | None]


def decision_blockers(case: Case, records: Mapping[Stage, StageDates], facts: dl.Facts, day: date) -> list[Blocker]:
    """(deadline code, reason, earliest date) for everything that blocks a decision on `day`
    (pure: the current records and the deadline engine's facts in, no query)."""
    out: list[Blocker] = [(code, reason, None) for code, reason in decision_reasons(case, records)
                          if code not in facts.overridden]
    ended = facts.negotiation_ended_on
    if not out and not case.urgent_reason and ended is not None and day < ended \
            and DeadlineCode.CLOSING_NOT_ENDED not in facts.overridden:
        # A decision registered afterwards cannot be dated before the negotiation ended.
        out.append((DeadlineCode.CLOSING_NOT_ENDED,
                    _("Beslutsdatumet ligger före förhandlingens slut (%(day)s).", day=dl.day_text(ended)), ended))
    earliest = dl.earliest_decision(facts)
    if dl.min_negotiation_days(facts) and dl.EARLIEST_DECISION not in facts.overridden:
        if earliest is None:
            out.append((dl.EARLIEST_DECISION, _("Minsta förhandlingstid kan inte räknas: inget möte är hållet."), None))
        elif day < earliest:
            out.append((dl.EARLIEST_DECISION, _("Beslut kan fattas tidigast %(day)s.", day=dl.day_text(earliest)),
                        earliest))
    for code, possible_from in dl.decision_locks(facts, day):
        if code == dl.CENTRAL_WINDOW:
            assert possible_from is not None
            out.append((code, _("Personalen kan begära central förhandling till och med %(last)s: beslut kan "
                                "fattas tidigast %(day)s.",
                                last=dl.day_text(possible_from - timedelta(days=1)), day=dl.day_text(possible_from)),
                        possible_from))
        else:
            out.append((code, _("En central förhandling pågår: beslutet kan fattas först när den centrala "
                                "förhandlingen är avslutad."), None))
    return out
