"""Item 12 of issue 14: the decision statement. Once the decision is possible the app drafts the
text the decision paper carries, in the user's language, with the diary number and the evidence
(minutes version hashes, audit sequence numbers), on the decision stage and as PDF and plain text."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.exports.conftest import pdf_text
from tests.factories import PASSWORD
from tests.procedure.helpers import complete_early_information, walk_to
from tracker.audit.models import AuditEvent
from tracker.cases import services as cs
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.procedure import statement as st
from tracker.procedure.statement_data import decision_statement, statement_facts
from tracker.timeutil import utcnow


def _facts(**overrides) -> st.StatementFacts:
    base = dict(
        diary_number="SAM-2027-0007", title="Sammanslagning", profile_name="Sverige, MBL",
        started_on=date(2027, 2, 1), ended_on=date(2027, 3, 1), end_mode="disagreement",
        meetings=(st.MeetingFact("Förhandling 1", date(2027, 2, 10), ("grounds", "effects")),),
        minutes=(st.MinutesFact("Förhandling 1", 2, "ab" * 32, date(2027, 2, 12),
                                (("Helena Rask", "employer"), ("Päivi Häkkinen", "personnel"))),),
        dissents=(st.DissentFact("closing", "personnel"),),
        central=(st.CentralFact(date(2027, 3, 3), True, date(2027, 3, 20), "Ingen ändring"),),
        deviations=(st.DeviationFact("earliest_decision", "Budgetbeslut krävdes", date(2027, 3, 2), "Daniel Ek"),),
        documents=(st.DocumentRef("Utredning", 1, "cd" * 32),),
        audit=(st.AuditRef("negotiation.ended", 41), st.AuditRef("minutes.approved", 37)),
    )
    base.update(overrides)
    return st.StatementFacts(**base)


def test_the_pure_statement_in_swedish(app):
    with app.test_request_context(), force_locale("sv"):
        statement = st.compose(_facts())
        text = statement.text()
    assert statement.heading.startswith("Redovisning av samverkansförfarandet") and "SAM-2027-0007" in text
    assert "1 februari 2027" in text and "1 mars 2027" in text
    assert "Helena Rask (arbetsgivaren)" in text and "Päivi Häkkinen (personalen)" in text
    assert "Avvikande mening har antecknats" in text and "Central förhandling: begärd" in text
    assert "Budgetbeslut krävdes" in text and "Daniel Ek" in text
    assert "ab" * 32 in text and "cd" * 32 in text and "#41" in text and "#37" in text
    # No internal codes reach the reader.
    for code in ("earliest_decision", "disagreement", "negotiation.ended", "minutes.approved", "personnel",
                 "grounds"):
        assert code not in text, code


def test_the_pure_statement_in_english(app):
    with app.test_request_context(), force_locale("en"):
        text = st.compose(_facts()).text()
    assert "cooperation procedure" in text and "February 1, 2027" in text
    assert "Helena Rask (the employer)" in text and "Deviations:" in text
    assert "Redovisning" not in text and "Avvikelser" not in text


def test_empty_parts_say_so(app):
    with app.test_request_context(), force_locale("sv"):
        text = st.compose(_facts(meetings=(), minutes=(), dissents=(), central=(), deviations=(), documents=(),
                                 audit=(), end_mode="agreement")).text()
    assert "Inga förhandlingsmöten har hållits." in text and "Inga protokoll har justerats." in text
    assert "Central förhandling har inte begärts." in text and "Avvikelser: inga." in text


@pytest.fixture
def decided_world(factory):
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile="se-mbl", title="Sammanslagning av äldreboenden")
    decider = factory.user("decision_maker", name="Daniel Ek")
    union = factory.user("union_rep", name="Päivi Häkkinen")
    safety = factory.user("safety_rep", name="Sami Järvinen")
    factory.member(case, hr, "employer", role="signatory")
    factory.member(case, union, "personnel", role="signatory")
    factory.member(case, safety, "personnel", role="safety_representative")
    cs.assign_decision_maker(hr, case, decider)
    db.session.commit()
    meeting = meetings.schedule_meeting(hr, case, title="Förhandling om grunderna", starts_at=utcnow() - timedelta(days=2),
                                        ends_at=utcnow() - timedelta(days=2, hours=-2), place="Stadshuset",
                                        stages=["grounds"])
    db.session.commit()
    version = meetings.save_minutes(hr, meeting, "§1 Mötet öppnas.")
    meetings.submit_minutes(hr, meetings.minutes_of(meeting))
    db.session.commit()
    meetings.approve_minutes(hr, version, password=PASSWORD, sha256=version.sha256)
    meetings.approve_minutes(union, version, password=PASSWORD, sha256=version.sha256)
    db.session.commit()
    complete_early_information(case, hr)
    walk_to(case, hr, "decision", safety=safety, password=PASSWORD)
    db.session.commit()
    return {"case": case, "hr": hr, "decider": decider, "union": union, "version": version}


def test_facts_come_from_the_records(decided_world):
    w = decided_world
    facts = statement_facts(w["case"])
    assert facts.diary_number == w["case"].diary_number and facts.end_mode == "agreement"
    assert [m.title for m in facts.meetings] == ["Förhandling om grunderna"]
    (minutes,) = facts.minutes
    assert minutes.sha256 == w["version"].sha256 and minutes.approved_on is not None
    assert {name for name, _party in minutes.approvers} == {"Helena Rask", "Päivi Häkkinen"}
    seqs = db.session.execute(select(AuditEvent.seq).where(
        AuditEvent.case_id == w["case"].id, AuditEvent.action.in_(("minutes.approved", "negotiation.ended")))
    ).scalars().all()
    assert {a.seq for a in facts.audit} >= set(seqs) and len(seqs) == 3


def test_the_statement_shows_on_the_decision_stage_once_possible(decided_world, web):
    w = decided_world
    web.login(w["decider"].email, PASSWORD)
    html = web.client.get(f"/cases/{w['case'].id}").get_data(as_text=True)
    assert 'id="decision-statement"' in html and w["version"].sha256 in html
    assert f'action="/cases/{w["case"].id}/decision-statement"' in html


def test_no_statement_while_the_decision_is_blocked(factory, web):
    case = factory.case(profile="se-mbl")
    db.session.commit()
    web.login(case.responsible_hr.email, PASSWORD)
    page = f"/cases/{case.id}"
    assert 'id="decision-statement"' not in web.client.get(page).get_data(as_text=True)
    response = web.post(f"/cases/{case.id}/decision-statement", {"statement-format": "txt"}, token_from=page)
    assert response.status_code == 409
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision_statement.exported")
                              ).first() is None


def _export(web, case_id, fmt, page):
    return web.post(f"/cases/{case_id}/decision-statement", {"statement-format": fmt}, token_from=page)


def test_text_and_pdf_exports_are_audited_with_their_hash(decided_world, web, tmp_path):
    import hashlib

    w = decided_world
    page = f"/cases/{w['case'].id}"
    web.login(w["decider"].email, PASSWORD)
    text = _export(web, w["case"].id, "txt", page)
    assert text.status_code == 200 and text.mimetype == "text/plain"
    body = text.get_data(as_text=True)
    assert w["case"].diary_number in body and w["version"].sha256 in body
    pdf = _export(web, w["case"].id, "pdf", page)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert w["case"].diary_number in pdf_text(pdf.data, tmp_path)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision_statement.exported")
                                .order_by(AuditEvent.seq)).scalars().all()
    assert [e.payload["format"] for e in events] == ["txt", "pdf"]
    assert events[0].payload["sha256"] == hashlib.sha256(text.data).hexdigest()


def test_the_export_is_in_the_cases_language_unless_another_is_picked(decided_world, web):
    from tracker.auth import services as auth_services

    w = decided_world
    auth_services.set_locale(w["decider"], "en")  # the reader's own language does not decide the record's
    db.session.commit()
    web.login(w["decider"].email, PASSWORD)
    page = f"/cases/{w['case'].id}"
    assert w["case"].language == "sv"
    body = _export(web, w["case"].id, "txt", page).get_data(as_text=True)
    assert "Redovisning" in body and "cooperation procedure" not in body
    english = web.post(f"/cases/{w['case'].id}/decision-statement",
                       {"statement-format": "txt", "statement-language": "en"}, token_from=page)
    assert "cooperation procedure" in english.get_data(as_text=True)
    finnish = web.post(f"/cases/{w['case'].id}/decision-statement",
                       {"statement-format": "txt", "statement-language": "fi"}, token_from=page)
    assert "Yhteistoimintamenettely" in finnish.get_data(as_text=True)


def test_an_unknown_statement_language_is_a_clear_400(decided_world, web):
    w = decided_world
    web.login(w["decider"].email, PASSWORD)
    page = f"/cases/{w['case'].id}"
    response = web.post(f"/cases/{w['case'].id}/decision-statement",
                        {"statement-format": "txt", "statement-language": "xx"}, token_from=page)
    assert response.status_code == 400
    assert "Choose one of the languages" in response.get_data(as_text=True) or \
        "Välj ett av språken i listan." in response.get_data(as_text=True)


def test_bad_format_missing_csrf_forbidden_and_invisible(decided_world, factory, web):
    w = decided_world
    case_id = w["case"].id
    page = f"/cases/{case_id}"
    web.login(w["decider"].email, PASSWORD)
    assert _export(web, case_id, "docx", page).status_code == 400
    assert web.client.post(f"/cases/{case_id}/decision-statement", data={"statement-format": "txt"}).status_code == 400
    web.client.post("/logout", data={"csrf_token": web.token(page)})
    web.login(w["union"].email, PASSWORD)  # sees the case, may not export the statement
    assert _export(web, case_id, "txt", page).status_code == 403
    web.client.post("/logout", data={"csrf_token": web.token(page)})
    stranger = factory.user("decision_maker")
    db.session.commit()
    web.login(stranger.email, PASSWORD)
    assert _export(web, case_id, "txt", "/account").status_code == 404
    assert _export(web, case_id + 999, "txt", "/account").status_code == 404


def test_decision_statement_helper_composes(decided_world, app):
    with app.test_request_context(), force_locale("sv"):
        statement = decision_statement(decided_world["case"])
    assert statement.paragraphs[0].startswith("Samverkansförfarandet i ärende")


def test_the_record_lists_the_decision_body_with_its_history(decided_world):
    from tests.exports.test_services import validate
    from tracker.exports.record import build_record

    w = decided_world
    (first,) = build_record(w["case"], w["hr"])["decision_makers"]
    assert first["current"] and first["user"]["name"] == "Daniel Ek" and first["assigned_by"]["name"] == "Helena Rask"
    cs.end_decision_maker(w["hr"], w["case"], first["id"], "Ny nämnd")
    db.session.commit()
    record = build_record(w["case"], w["hr"])
    (ended,) = record["decision_makers"]
    assert not ended["current"] and ended["end_reason"] == "Ny nämnd" and ended["ended_by"]["name"] == "Helena Rask"
    validate(record)


@pytest.mark.parametrize(("locale", "word"), [("fi", "Yhteistoimintamenettely"), ("sv_FI", "Samarbetsförfarandet"),
                                               ("sv", "Samverkansförfarandet")])
def test_the_statement_in_finnish_and_finland_swedish(app, locale, word):
    with app.test_request_context(), force_locale(locale):
        text = st.compose(_facts()).text()
    assert text.splitlines()[2].startswith(word)
