"""Profiles carry their texts per language (name, legal basis, stage help, deadline bases); a text
missing in the reader's language falls back visibly: in its own language, marked, never silently."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.conftest import Browserless
from tracker.i18n import SUPPORTED
from tracker.procedure.enums import DeadlineCode
from tracker.procedure.profiles import ProfileError, get_profile, validate_profile
from tracker.procedure.stages import STAGES


def test_the_finnish_profile_has_every_text_in_every_language(app):
    profile = get_profile("fi-municipal")
    assert profile.language == "fi"
    for locale in SUPPORTED:
        assert not profile.name_in(locale).fallback, locale
        assert not profile.legal_basis_in(locale).fallback, locale
        for stage in STAGES:
            help_text = profile.stage_help_in(stage, locale)
            assert help_text is not None and not help_text.fallback, (stage, locale)
    assert profile.name_in("fi").text == "Suomi, kunta (KYNK, laki 449/2007)"
    assert "yhteistoiminnasta kunnissa 449/2007" in profile.legal_basis_in("fi").text
    assert profile.legal_basis == profile.legal_basis_in("fi").text  # the profile's own language
    proposal = profile.deadline_basis_in(DeadlineCode.EARLIEST_FIRST_MEETING, "sv_FI")
    assert "förhandlingsframställning" in proposal.text and proposal.lang == "sv_FI"
    assert "neuvotteluesitys" in profile.deadline_basis_in(DeadlineCode.EARLIEST_FIRST_MEETING, "fi").text


def test_finland_swedish_reads_the_swedish_text_without_a_marker(app):
    help_text = get_profile("fi-municipal").stage_help_in("grounds", "sv_FI")
    assert help_text.lang == "sv" and not help_text.fallback and help_text.plain() == help_text.text


def test_a_missing_text_falls_back_visibly(app):
    basis = get_profile("se-mbl").legal_basis_in("fi")  # Sweden's profile: Swedish and English only
    assert basis.lang == "sv" and basis.fallback
    with app.test_request_context(), force_locale("fi"):
        assert basis.marker == "ruotsiksi" and basis.plain().endswith(" (ruotsiksi)")
    with app.test_request_context(), force_locale("en"):
        assert basis.marker == "in Swedish"
    assert get_profile("se-mbl").legal_basis_in("en").fallback is False


def test_the_fallback_order_prefers_the_profiles_own_language(app):
    profile = validate_profile({"code": "xx", "version": "1", "language": "fi",
                                "legal_basis": {"fi": "Suomeksi", "en": "In English"}})
    assert profile.legal_basis_in("sv").lang == "fi"  # not English: the profile's own language first
    assert profile.legal_basis_in("sv_FI").lang == "fi"
    assert profile.legal_basis_in("en").text == "In English"
    assert profile.stage_help_in("grounds", "fi") is None
    assert profile.name_in("fi").text == "xx"  # no name: the code


def test_a_plain_string_is_in_the_profiles_language(app):
    profile = validate_profile({"code": "xx", "version": "1", "language": "sv_FI", "name": "Kommun",
                                "legal_basis": "Lag 449/2007"})
    assert profile.name_in("sv_FI").lang == "sv_FI" and profile.legal_basis_in("fi").lang == "sv_FI"


@pytest.mark.parametrize("data,message", [
    ({"legal_basis": {"de": "Gesetz"}}, "'legal_basis'"),
    ({"name": {"fi": 3}}, "'name'"),
    ({"stage_help": {"grounds": ["x"]}}, "'stage_help'"),
    ({"deadline_bases": {"Bad Code": {"fi": "x"}}}, "'deadline_bases'"),
    ({"language": "de"}, "'language' must be one of sv, sv_FI, fi, en"),
])
def test_malformed_texts_are_refused(app, data, message):
    with pytest.raises(ProfileError) as info:
        validate_profile({"code": "ok", "version": "1", **data}, "custom.json")
    assert message in str(info.value)


def test_the_profiles_page_marks_a_fallback(factory, web):
    admin = factory.user("admin")
    web.login(admin.email, factory.password)
    web.post("/language", {"locale": "fi", "next": "/admin/profiles"}, token_from="/admin/profiles")
    html = web.client.get("/admin/profiles").get_data(as_text=True)
    assert '<span lang="fi">Suomi, kunta (KYNK, laki 449/2007)</span>' in html
    assert '<span lang="sv">Lag (1976:580) om medbestämmande' in html
    assert '<span class="fallback-language">(ruotsiksi)</span>' in html
    assert "Profiilin vaiheet" in html and "Määräaikojen perusteet" in html
    assert "Kirjallinen neuvotteluesitys viimeistään viisi päivää" in html


def test_the_case_page_names_the_profile_in_the_readers_language(factory, web):
    case = factory.case(profile="fi-municipal")
    web.login(case.responsible_hr.email, factory.password)
    html = web.client.get(f"/cases/{case.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span lang="en">Finland, municipal (KYNK, Act 449/2007)</span>' in html
    web.post("/language", {"locale": "fi", "next": "/home"}, token_from="/home")
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<span lang="fi">Suomi, kunta (KYNK, laki 449/2007)</span>' in html
    assert ('<p class="hint stage-help"><span lang="fi">Henkilöstölle ja sen edustajille tiedotetaan asiasta niin '
            'varhain') in html  # the shown stage: early information
    swedish = factory.case(profile="se-mbl")  # Sweden's profile has no stage help: nothing is shown
    other = Browserless(web.client.application.test_client())
    other.login(swedish.responsible_hr.email, factory.password)
    assert "stage-help" not in other.client.get(f"/cases/{swedish.id}").get_data(as_text=True)
