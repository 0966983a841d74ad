"""The confirmation step before a legal milestone or a destructive action (issue 17): a page that
works without JavaScript. GET shows the consequence (and the form the action needs); the POST of
the same URL, with its CSRF token, performs it. Each feature's view fills a `Confirmation`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import render_template


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says and where its POST goes."""

    title: str
    consequences: Sequence[str]
    action: str  # the URL the confirming POST goes to
    button: str
    back_url: str
    back_text: str
    form: Any = None  # a FlaskForm; its fields (but the CSRF token) are shown in order
    fields: Sequence[str] | None = None  # the fields to show (None: all)
    warning: bool = False  # override and destructive actions: the warning button
    blockers: Sequence[str] = ()  # what stands against it (shown before the button)
    blockers_intro: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # field name -> hint
    quote: str = ""  # the text acted on (a proposal's title, a member's name), shown as a quote
    context_title: str = ""  # e.g. the case's diary number and title


def render_confirmation(confirmation: Confirmation, status: int = 200) -> tuple[str, int]:
    """The confirmation page (`status` 400 when its form comes back with errors)."""
    return render_template("confirm.html", c=confirmation), status
