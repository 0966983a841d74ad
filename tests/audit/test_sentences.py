"""The trail as sentences: in the reader's language, names instead of ids, the event select, the
raw payload behind a disclosure for auditors only."""
from __future__ import annotations

from datetime import UTC, datetime

from tracker.audit.service import record
from tracker.extensions import db
from tracker.meetings.models import Meeting
from tracker.steering.models import Party


def _login(web, factory, user):
    assert web.login(user.email, factory.password).status_code == 302


def _setup(factory, locale: str = "sv"):
    hr = factory.user("hr_officer", name="Anna Berg")
    hr.locale = locale
    case = factory.case(hr)
    readers = [factory.user("union_rep", name=n) for n in ("Bo Ek", "Cilla Dahl", "Dan Frid")]
    for r in readers:
        factory.member(case, r, Party.PERSONNEL)
    meeting = Meeting(case_id=case.id, title="Möte 1", starts_at=datetime(2026, 3, 14, 9, tzinfo=UTC),
                      ends_at=datetime(2026, 3, 14, 10, tzinfo=UTC))
    db.session.add(meeting)
    db.session.flush()
    record(hr, "minutes.approved", ("minutes_signatures", 1),
           {"meeting_id": meeting.id, "version": 2, "sha256": "ab" * 32, "party": "employer"}, case_id=case.id)
    record(hr, "minutes.submitted", ("minutes", 1),
           {"version": 2, "signatories": [r.id for r in readers]}, case_id=case.id)
    db.session.commit()
    return hr, case, readers


def test_sentences_in_swedish_with_names_not_ids(web, factory):
    hr, case, readers = _setup(factory)
    _login(web, factory, hr)
    html = web.client.get(f"/cases/{case.id}/audit").get_data(as_text=True)
    assert "Anna Berg justerade version 2 av protokollet från mötet 14 mars 2026" in html
    assert "Anna Berg skickade version 2 av protokollet för justering till Bo Ek, Cilla Dahl, Dan Frid" in html
    ids = str([r.id for r in readers])
    assert ids not in html  # no reader ids such as [2, 3, 8]
    assert "<code>minutes.approved</code>" not in html and "<details" not in html  # raw data: auditors only


def test_sentences_in_english(web, factory):
    hr, case, _readers = _setup(factory, locale="en")
    _login(web, factory, hr)
    html = web.client.get(f"/cases/{case.id}/audit").get_data(as_text=True)
    assert "Anna Berg approved version 2 of the minutes of the meeting of March 14, 2026" in html
    assert "Anna Berg sent version 2 of the minutes for approval to Bo Ek, Cilla Dahl, Dan Frid" in html


def test_auditor_sees_the_raw_event_behind_a_disclosure(web, factory):
    _hr, case, _readers = _setup(factory)
    _login(web, factory, factory.user("auditor"))
    html = web.client.get(f"/cases/{case.id}/audit").get_data(as_text=True)
    assert '<details class="audit-raw">' in html and "<code>minutes.approved</code>" in html
    assert "<code>" + "ab" * 32 + "</code>" in html


def test_event_select_has_labelled_choices_and_filters(web, factory):
    hr, case, _readers = _setup(factory)
    _login(web, factory, hr)
    page = web.client.get(f"/cases/{case.id}/audit")
    html = page.get_data(as_text=True)
    assert '<select id="action" name="action"' in html or '<select aria-describedby="action-hint" id="action"' in html
    assert '<option value="minutes.approved">Protokoll justerat</option>' in html
    assert '<option value="document.">Dokument (alla)</option>' in html
    only = web.client.get(f"/cases/{case.id}/audit?action=minutes.approved").get_data(as_text=True)
    assert "justerade version 2" in only and "skickade version 2" not in only
    group = web.client.get(f"/cases/{case.id}/audit?action=minutes.").get_data(as_text=True)
    assert "justerade version 2" in group and "skickade version 2" in group
    assert "registrerade ärendet" not in group
    bad = web.client.get(f"/cases/{case.id}/audit?action=DROP%20TABLE")
    assert bad.status_code == 400 and "Välj en händelse i listan." in bad.get_data(as_text=True)


def test_every_recorded_action_has_a_sentence():
    """Each action the code records (a literal in a record() call) has its own sentence function."""
    import re
    from pathlib import Path

    from tracker.audit.sentences import SENTENCES

    root = Path(__file__).resolve().parents[2] / "tracker"
    pattern = re.compile(r"record\([^\"]*?\"([a-z_]+\.[a-z_]+)\"", re.S)
    found = {m for p in root.rglob("*.py") for m in pattern.findall(p.read_text())}
    found.discard("case.forged")
    missing = sorted(a for a in found if a not in SENTENCES and not a.endswith(".access_denied"))
    assert not missing, missing
