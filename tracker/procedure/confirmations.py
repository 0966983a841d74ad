"""The confirmation pages of the procedure's legal milestones (issue 17): completing a stage,
reopening one, recording the end of negotiations, registering the decision, overriding a
deadline, archiving. Each states its consequence; the form it needs, if any, is on the page."""
from __future__ import annotations

from flask import url_for
from flask_wtf import FlaskForm

from tracker.cases.models import Case
from tracker.i18n import gettext as _
from tracker.procedure.panel import ProcedurePanel
from tracker.procedure.stages import Stage, next_stage, stage_label
from tracker.web.confirm import Confirmation


def _back(case: Case, stage: str | None = None) -> tuple[str, str]:
    if stage is None:
        return url_for("cases.detail", case_id=case.id), _("Tillbaka till ärendet %(number)s", number=case.diary_number)
    return (url_for("cases.stage", case_id=case.id, code=stage),
            _("Tillbaka till skedet %(stage)s", stage=stage_label(stage)))


def _context(case: Case) -> str:
    return f"{case.diary_number} {case.title}"


def complete(case: Case, stage: Stage, panel: ProcedurePanel) -> Confirmation:
    following = next_stage(stage)
    consequences = [_("Skedet %(stage)s avslutas med dagens datum och tid, och avslutandet registreras i "
                      "granskningsloggen.", stage=stage_label(stage))]
    if following is not None:
        consequences.append(_("Nästa skede, %(next)s, börjar.", next=stage_label(following)))
    consequences.append(_("Ett avslutat skede ändras bara genom att det återupptas i en ny omgång."))
    back_url, back_text = _back(case, stage)
    return Confirmation(
        title=_("Avsluta skedet %(stage)s?", stage=stage_label(stage)), consequences=consequences,
        action=url_for("procedure.complete", case_id=case.id, code=stage), button=_("Ja, avsluta skedet"),
        back_url=back_url, back_text=back_text, blockers=panel.stage(stage).gate_reasons,
        blockers_intro=_("Skedet kan inte avslutas ännu:"), context_title=_context(case))


def reopen(case: Case, stage: Stage, form: FlaskForm) -> Confirmation:
    back_url, back_text = _back(case, stage)
    return Confirmation(
        title=_("Återuppta skedet %(stage)s?", stage=stage_label(stage)),
        consequences=[_("Skedet öppnas igen i en ny omgång. Den tidigare omgången sparas oförändrad och visas "
                        "under tidigare omgångar."),
                      _("Senare skeden börjar om; det som registrerats i dem sparas i deras tidigare omgångar.")],
        action=url_for("procedure.reopen", case_id=case.id, code=stage), button=_("Ja, återuppta skedet"),
        back_url=back_url, back_text=back_text, form=form, warning=True, context_title=_context(case),
        hints={"reason": _("Skälet sparas med omgången och visas för alla i ärendet.")})


def end_negotiation(case: Case, form: FlaskForm) -> Confirmation:
    back_url, back_text = _back(case, Stage.CLOSING)
    return Confirmation(
        title=_("Registrera förhandlingens avslutning?"),
        consequences=[_("Förhandlingen registreras som avslutad vid den tid du anger, med parternas slutliga "
                        "ståndpunkter."),
                      _("Från den tiden räknas fristen för att begära central förhandling och när beslut "
                        "tidigast får fattas. Registreringen kan inte ångras.")],
        action=url_for("procedure.end_negotiation", case_id=case.id), button=_("Registrera avslutning"),
        back_url=back_url, back_text=back_text, form=form, context_title=_context(case),
        hints={"notice_by": _("Bara vid skriftligt besked.")})


def decision(case: Case, form: FlaskForm, panel: ProcedurePanel) -> Confirmation:
    back_url, back_text = _back(case, Stage.DECISION)
    blockers = tuple(reason for _code, reason, _earliest in panel.decision_blockers)
    fields = ["body", "decided_on", "reference", "summary"]
    if blockers or form.override_reason.errors:
        fields.append("override_reason")
    return Confirmation(
        title=_("Registrera beslutet?"),
        consequences=[_("Beslutet registreras med organ, datum och paragraf, och skedet Beslut avslutas; "
                        "utvärderingen börjar."),
                      _("Ett registrerat beslut kan inte ändras. Ett beslut trots spärr markeras som avsteg och "
                        "visas för revisorer.")],
        action=url_for("procedure.register_decision", case_id=case.id), button=_("Registrera beslut"),
        back_url=back_url, back_text=back_text, form=form, fields=fields, warning=bool(blockers),
        blockers=blockers, blockers_intro=_("Beslutet är spärrat:"), context_title=_context(case),
        hints={"override_reason": _("Ett åsidosättande markeras som avsteg och visas för revisorer.")})


def override(case: Case, form: FlaskForm) -> Confirmation:
    back_url, back_text = _back(case)
    return Confirmation(
        title=_("Åsidosätt en tidsfrist?"),
        consequences=[_("Tidsfristen spärrar inte längre förfarandet. Ärendet markeras med avsteg, vilket visas "
                        "på ärendet, för revisorer och i protokollets export."),
                      _("Åsidosättandet och skälet kan inte tas bort.")],
        action=url_for("procedure.override", case_id=case.id), button=_("Åsidosätt tidsfristen"),
        back_url=back_url + "#deadlines", back_text=back_text, form=form, warning=True, context_title=_context(case),
        hints={"reason": _("Åsidosättandet markeras som avsteg och visas för revisorer.")})


def archive(case: Case, panel: ProcedurePanel) -> Confirmation:
    back_url, back_text = _back(case)
    return Confirmation(
        title=_("Arkivera ärendet?"),
        consequences=[_("Ärendet arkiveras: därefter kan ingenting i det ändras, bara läsas och exporteras.")],
        action=url_for("procedure.archive", case_id=case.id), button=_("Ja, arkivera ärendet"),
        back_url=back_url, back_text=back_text, warning=True, blockers=panel.archive_reasons,
        blockers_intro=_("Ärendet kan inte arkiveras ännu:"), context_title=_context(case))
