"""The words of the to-do list: one sentence per kind of task, and the action's button text."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date

from tracker.i18n import gettext as _
from tracker.procedure.labels import deadline_label
from tracker.tasks import Task, TaskKind


def _day(value: date | None) -> str:
    return format_date(value, "long") if value is not None else ""


def task_text(task: Task) -> str:
    """What is to be done, as a sentence in the current language."""
    p: dict[str, Any] = {"case": task.diary_number, "title": task.case_title, **task.params}
    kind = task.kind
    if kind == TaskKind.APPROVE_MINUTES:
        return _("Justera protokollet från mötet %(meeting)s (version %(n)s).", meeting=p.get("meeting", ""),
                 n=p.get("n", ""))
    if kind == TaskKind.REVISE_MINUTES:
        return _("Protokollet från mötet %(meeting)s (version %(n)s) har inte justerats: läs invändningen och "
                 "spara en ny version.", meeting=p.get("meeting", ""), n=p.get("n", ""))
    if kind == TaskKind.ANSWER_COUNTER_PROPOSAL:
        return _("Besvara motförslaget ”%(proposal)s”.", proposal=p.get("proposal", ""))
    if kind == TaskKind.COSIGN_RISK:
        return _("Skriv under risk- och konsekvensanalysen.")
    if kind == TaskKind.REGISTER_DECISION:
        return _("Registrera beslutet: förfarandet tillåter det nu.")
    if kind == TaskKind.REQUEST_CENTRAL_NEGOTIATION:
        return _("Begär central förhandling om personalen vill det (till och med %(day)s).", day=_day(task.due))
    if kind == TaskKind.HOLD_URGENT_NEGOTIATION:
        return _("Håll och avsluta förhandlingen efter det brådskande beslutet (senast %(day)s).",
                 day=_day(task.due))
    if kind == TaskKind.END_CENTRAL_NEGOTIATION:
        return _("Registrera utfallet av den centrala förhandlingen: beslutet är låst till dess.")
    if p.get("overdue"):
        return _("%(deadline)s: försenad sedan %(day)s.", deadline=deadline_label(p.get("deadline", "")),
                 day=_day(task.due))
    return _("%(deadline)s: %(day)s.", deadline=deadline_label(p.get("deadline", "")), day=_day(task.due))


def due_text(task: Task) -> str:
    """When: the last day, the planned decision date, or since when it waits."""
    if task.params.get("overdue"):
        return ""  # the sentence says since when; the tag says it is late
    if task.due is not None:
        if task.kind == TaskKind.REGISTER_DECISION:
            return _("Planerat beslutsdatum %(day)s", day=_day(task.due))
        return _("Senast %(day)s", day=_day(task.due))
    if task.since is not None:
        return _("Väntar sedan %(day)s", day=_day(task.since.date()))
    return ""
