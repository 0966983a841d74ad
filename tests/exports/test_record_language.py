"""The record in a chosen language: by default the case's (set at registration from the
organisation's default), else the exporter's pick; labels, CSV headers, dates and numbers follow it,
and the record states it."""
from __future__ import annotations

import json

import jsonschema
import pytest
from flask_babel import force_locale

from tests.exports.conftest import csv_rows, pdf_text, post_export
from tracker.exports import services
from tracker.exports.pdf.cells import number, when
from tracker.exports.record import build_record
from tracker.extensions import db
from tracker.procedure.stages import Stage

SCHEMA = json.loads(open("docs/procedure-record.schema.json", encoding="utf-8").read())


@pytest.fixture
def finnish_case(factory, app, monkeypatch):
    """A fi-municipal case registered while the organisation's default is Finnish."""
    monkeypatch.setitem(app.config, "ORGANISATION_DEFAULT_LANGUAGE", "fi")
    hr = factory.user("hr_officer", name="Helena Rask")
    case = factory.case(hr=hr, profile="fi-municipal", title="Kotihoidon uudelleenorganisointi", staff_affected=1234)
    auditor = factory.user("auditor", name="Astrid Öberg")
    db.session.commit()
    return {"case": case, "hr": hr, "auditor": auditor}


def test_a_case_takes_the_organisations_default_language_at_registration(app, factory, monkeypatch):
    assert factory.case().language == "sv"
    monkeypatch.setitem(app.config, "ORGANISATION_DEFAULT_LANGUAGE", "fi")
    assert factory.case().language == "fi"
    assert factory.case(language="sv_FI").language == "sv_FI"


def test_a_language_the_organisation_does_not_offer_is_refused_at_registration(app, factory, monkeypatch):
    from tracker.errors import ValidationFailed

    monkeypatch.setitem(app.config, "ORGANISATION_LANGUAGES", ("sv", "en"))
    with pytest.raises(ValidationFailed) as caught:
        factory.case(language="fi")
    assert "language" in caught.value.details["errors"]


def test_the_record_is_in_the_cases_language_by_default(finnish_case):
    record = build_record(finnish_case["case"], finnish_case["auditor"])
    jsonschema.validate(record, SCHEMA)
    assert record["language"] == "fi" and record["case"]["language"] == "fi"
    labels = {stage["code"]: stage["label"] for stage in record["stages"]}
    assert labels[Stage.EARLY_INFORMATION] == "Ennakkotiedottaminen"
    assert labels[Stage.CLOSING] == "Päättäminen"
    basis = record["legal_basis"]
    assert basis["profile_name"] == "Suomi, kunta (KYNK, laki 449/2007)"
    assert basis["text"].startswith("Laki työnantajan ja henkilöstön välisestä yhteistoiminnasta kunnissa 449/2007")
    assert basis["text_language"] == "fi"


def test_the_exporter_picks_another_language(finnish_case):
    record = build_record(finnish_case["case"], finnish_case["auditor"], language="sv_FI")
    jsonschema.validate(record, SCHEMA)
    assert record["language"] == "sv_FI"
    assert record["legal_basis"]["text"].startswith("Lag om samarbete mellan arbetsgivare och arbetstagare")
    english = build_record(finnish_case["case"], finnish_case["auditor"], language="en")
    assert english["language"] == "en" and english["legal_basis"]["profile_name"].startswith("Finland, municipal")
    assert build_record(finnish_case["case"], finnish_case["auditor"], language="de")["language"] == "fi"


def test_a_profile_text_missing_in_the_records_language_is_marked(factory):
    case = factory.case(profile="se-mbl", language="fi")  # Sweden's profile has no Finnish legal basis
    auditor = factory.user("auditor")
    basis = build_record(case, auditor)["legal_basis"]
    assert basis["text_language"] == "sv"
    assert basis["text"].endswith("(ruotsiksi)") and "medbestämmande" in basis["text"]
    assert basis["profile_name"] == "Ruotsi, MBL 11 § ja paikallinen yhteistoimintasopimus"  # it has a name


def test_csv_headers_are_in_the_records_language_with_their_codes(finnish_case):
    data = services.export_csv(finnish_case["case"], finnish_case["auditor"]).data.decode("utf-8")
    db.session.commit()
    header = data.splitlines()[0]
    assert header.startswith("Nro (seq),Aika (UTC) (occurred_at)")
    assert "Tapahtuma (action)" in header and "Tiiviste (hash)" in header
    assert csv_rows(data)[0]["action"] == "case.opened"
    swedish = services.export_csv(finnish_case["case"], finnish_case["auditor"], language="sv").data.decode()
    db.session.commit()
    assert "Händelse (action)" in swedish.splitlines()[0]


def test_dates_and_numbers_are_written_per_language(app):
    with app.test_request_context():
        with force_locale("fi"):
            assert when("2026-03-07") == "7. maaliskuuta 2026"
            # Local time in the organisation's zone (Europe/Stockholm here) with its abbreviation, as on the pages.
            assert when("2026-03-07T09:05:00.000000Z") == "7. maaliskuuta 2026 10.05 CET"
            assert number(1234) == "1\xa0234"
        with force_locale("sv"):
            assert when("2026-03-07") == "7 mars 2026"
            assert when("2026-03-07T09:05:00.000000Z") == "7 mars 2026 10:05 CET"
            assert when("2026-07-07T09:05:00.000000Z") == "7 juli 2026 11:05 CEST"
            assert number(1234) == "1\xa0234"
        with force_locale("en"):
            assert when("2026-03-07") == "March 7, 2026"
            assert number(1234) == "1,234"
        assert when("not a date") == "not a date"


def test_the_pdf_states_its_language_and_speaks_finnish(finnish_case, tmp_path):
    result = services.export_pdf(finnish_case["case"], finnish_case["auditor"])
    db.session.commit()
    text = pdf_text(result.data, tmp_path)
    assert "Asiakirjan kieli" in text and "Suomeksi" in text
    assert "Ennakkotiedottaminen" in text and "sivu 1/" in text and "Sisältö" in text
    assert "Yhteistoimintamenettelyn asiakirja" in text


def test_the_case_page_export_form_posts_the_chosen_language(web, finnish_case):
    web.login(finnish_case["hr"].email, "correct-horse-battery")
    case = finnish_case["case"]
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<dt>Asian kieli</dt><dd><span lang="fi">Suomeksi</span></dd>' in html
    assert 'name="exports-language"' in html and '<option lang="fi" value="fi">Suomeksi</option>' in html
    token = web.token(f"/cases/{case.id}")
    response = web.client.post(f"/cases/{case.id}/export", data={
        "exports-format": "json", "exports-language": "en", "exports-csrf_token": token})
    assert response.status_code == 200
    assert json.loads(response.data)["language"] == "en"
    response = post_export(web, case.id, "json", token_from=f"/cases/{case.id}")
    assert json.loads(response.data)["language"] == "fi"  # no pick: the case's language
    response = web.client.post(f"/cases/{case.id}/export", data={
        "exports-format": "json", "exports-language": "xx", "exports-csrf_token": web.token(f"/cases/{case.id}")})
    assert response.status_code == 400
