"""Blocks and locks of a case as the lists and the dashboard show them: PURE, no clock, no database.

Each block says why the case waits and who can lift it. A block has a date when it lifts by itself
or must be cleared by then (the central-negotiation window, the mandatory negotiation after an
urgent decision); an undated one (a pending central negotiation) waits for someone to act, so it
counts as due today. `next_action` picks the earliest of the dated deadlines and the blocks.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date

from tracker.i18n import gettext as _
from tracker.procedure import deadlines as dl
from tracker.procedure.urgent import UrgentTask

URGENT_NEGOTIATION = "urgent_negotiation"


@dataclass(frozen=True)
class Block:
    """Why a case waits (`reason`), who can lift it (`lifted_by`), and when (None: someone must act)."""

    code: str
    label: str
    reason: str
    lifted_by: str
    due: date | None
    overdue: bool = False


def _day(value: date) -> str:
    try:
        return format_date(value, "long")
    except Exception:  # outside an app context (pure use): ISO
        return value.isoformat()


def blocks(facts: dl.Facts, today: date, urgent: UrgentTask | None = None) -> list[Block]:
    """Every block of the case on `today`, in the order they matter."""
    out: list[Block] = []
    for code, possible_from in dl.decision_locks(facts, today):
        if code == dl.CENTRAL_WINDOW and possible_from is not None:
            out.append(Block(
                str(code), _("Beslutet är spärrat"),
                _("Personalen kan begära central förhandling till och med %(last)s.",
                  last=_day(possible_from - timedelta(days=1))),
                _("Spärren upphör av sig själv %(day)s; personalen kan begära central förhandling innan dess. "
                  "Beslutsfattaren kan åsidosätta den (avsteg).", day=_day(possible_from)),
                possible_from))
        else:
            out.append(Block(
                str(code), _("Central förhandling pågår: beslutet är låst"),
                _("Personalen har begärt central förhandling i rätt tid."),
                _("Ärendets HR-handläggare, genom att registrera att den centrala förhandlingen är avslutad. "
                  "Beslutsfattaren kan åsidosätta spärren (avsteg)."),
                None))
    if urgent is not None and urgent.open:
        out.append(Block(
            URGENT_NEGOTIATION, _("Obligatorisk förhandling efter brådskande beslut"),
            _("Ett beslut på grund av synnerliga skäl kräver att förhandlingen hålls och avslutas senast %(day)s.",
              day=_day(urgent.due)),
            _("Ärendets HR-handläggare, genom att hålla och avsluta förhandlingen; ärendet kan inte arkiveras "
              "innan dess."),
            urgent.due, overdue=urgent.overdue))
    return out


@dataclass(frozen=True)
class NextAction:
    """The most pressing thing on a case: a dated deadline or a block."""

    label: str
    due: date | None
    deadline: dl.Deadline | None = None
    block: Block | None = None


def next_action(deadlines: Iterable[dl.Deadline], case_blocks: Iterable[Block], today: date) -> NextAction | None:
    """The earliest of the next dated deadline (`deadlines.next_deadline`) and the blocks, an
    undated block counting as today; on the same day a block comes first (it stops the case)."""
    candidates: list[tuple[date, int, NextAction]] = []
    nxt = dl.next_deadline(deadlines, today)
    if nxt is not None and nxt.due is not None:
        candidates.append((nxt.due, 1, NextAction(nxt.label, nxt.due, deadline=nxt)))
    for block in case_blocks:
        candidates.append((block.due or today, 0, NextAction(block.label, block.due, block=block)))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]
