"""Item 9 of issue 14: no internal code reaches a person. Renders the case page in several states
(locked, overridden, reopened, decided, archived), the dashboard and the case list, and the PDF
record (pdftotext), and scans what a reader sees for the snake_case codes of the gate and deadline
vocabulary, taken from the code itself (the enums, the profile settings, the content fields)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.demo_support import demo_context
from tests.exports.conftest import pdf_text
from tracker.demo.context import DEMO_PASSWORD
from tracker.exports import services as exports
from tracker.extensions import db
from tracker.procedure import services as ps
from tracker.procedure.enums import DeadlineCode, DeadlineStatus, EndMode, Stage, StageStatus
from tracker.procedure.labels import CONTENT_FIELD_LABELS
from tracker.procedure.profiles import SETTING_NAMES

VOCABULARY = sorted(code for code in {str(v) for enum in (DeadlineCode, DeadlineStatus, EndMode, Stage, StageStatus)
                                      for v in enum} | set(SETTING_NAMES) | set(CONTENT_FIELD_LABELS)
                    if "_" in code)
CODE_RE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, VOCABULARY)) + r")(?![\w-])")
# Attributes a person reads (or hears from a screen reader); ids, classes and values are not shown.
SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "aria-description")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def leaks(text: str) -> list[str]:
    return sorted(set(CODE_RE.findall(text)))


def test_the_vocabulary_comes_from_the_code_and_the_scanner_finds_a_leak():
    assert "closing_not_ended" in VOCABULARY and "central_negotiation_pending" in VOCABULARY
    assert "minutes_approved_by_both" in VOCABULARY and "early_information" in VOCABULARY
    assert leaks(visible_text("<p>Spärr: closing_not_ended</p>")) == ["closing_not_ended"]
    assert leaks(visible_text('<p class="deadline-closing_not_ended" title="Spärr">ok</p>')) == []


@pytest.fixture
def demo(app):
    context = demo_context(app)
    # A reopened case next to the demo's locked (it), overridden (kulturskolan), decided (stad) and archived ones.
    kok = context.cases["kok"]
    ps.reopen_stage(kok.responsible_hr, kok, "grounds", "Planen ändrades väsentligt efter remissen")
    db.session.commit()
    return context


def _pages(web, context, email):
    web.login(f"{email}@example.org", DEMO_PASSWORD)
    out = {"/home": web.client.get("/home"), "/cases": web.client.get("/cases")}
    for name, case in context.cases.items():
        out[f"{name} /cases/{case.id}"] = web.client.get(f"/cases/{case.id}")
        if email in ("hr", "auditor"):  # each stage's own view too (frozen rounds, closing, decision)
            for stage in Stage:
                path = f"/cases/{case.id}/stages/{stage}"
                out[f"{name} {path}"] = web.client.get(path)
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    return out


@pytest.mark.parametrize("email", ["hr", "hr2", "decision", "union", "auditor"])
def test_no_code_on_the_case_pages_and_the_dashboard(web, demo, email):
    found = {}
    for path, response in _pages(web, demo, email).items():
        if response.status_code != 200:
            continue  # a case this person cannot see
        codes = leaks(visible_text(response.get_data(as_text=True)))
        if codes:
            found[path] = codes
    assert found == {}


def test_states_are_the_ones_intended(demo):
    cases = demo.cases
    assert any(d.code == "central_negotiation_pending" for d in ps.deadlines_for(cases["it"]))
    assert cases["kulturskolan"].non_compliance and ps.overrides_of(cases["kulturskolan"])
    assert cases["stad"].status == "decided"
    assert any(r.superseded_at for r in ps.all_records(cases["kok"]))


@pytest.mark.parametrize("name", ["it", "kulturskolan", "stad", "kok", "bibliotek"])
def test_no_code_in_the_pdf_record(demo, tmp_path, name):
    auditor = demo.user("auditor@example.org")
    text = pdf_text(exports.export_pdf(demo.cases[name], auditor).data, tmp_path)
    db.session.commit()
    assert leaks(text) == []


def test_no_code_in_notifications_and_reminder_mails(demo):
    """What is mailed is the notification's text: the demo's notifications and a year of reminders."""
    from datetime import timedelta

    from sqlalchemy import select

    from tracker.notifications.labels import message, subject
    from tracker.notifications.models import Notification
    from tracker.notifications.services import due_reminders

    stored = db.session.execute(select(Notification.kind, Notification.params)).all()
    texts = [message(kind, params) for kind, params in stored] + [str(subject(kind)) for kind, _ in stored]
    today = ps.today()
    for days in range(-200, 200, 3):
        texts.extend(message(r.kind, r.params) for r in due_reminders(today + timedelta(days=days)))
    assert len(texts) > 10
    assert {t: leaks(t) for t in texts if leaks(t)} == {}
