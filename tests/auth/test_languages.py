"""Finnish and Finland-Swedish: the organisation's languages, the user's choice among them, the
browser's Accept-Language when there is none, and `locale_for(user)` for what is sent to a person."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.conftest import Browserless
from tracker.auth import locale_for
from tracker.extensions import db
from tracker.i18n import best_accepted, html_lang, normalise


def test_codes_are_normalised_to_the_catalogues():
    assert normalise("fi-FI") == "fi"
    assert normalise("sv-fi") == "sv_FI"
    assert normalise("sv_FI") == "sv_FI"
    assert normalise("sv-SE") == "sv"
    assert normalise("EN") == "en"
    assert normalise("de") is None
    assert normalise("") is None
    assert html_lang("sv_FI") == "sv-FI"


def test_the_browsers_first_offered_language_wins(app):
    with app.app_context():
        assert best_accepted([("de-DE", 1.0), ("fi-FI", 0.9), ("en", 0.8)]) == "fi"
        assert best_accepted([("sv-FI", 1.0), ("sv", 0.9)]) == "sv_FI"
        assert best_accepted([("sv-SE", 1.0)]) == "sv"
        assert best_accepted([("fi", 0.0), ("en", 0.5)]) == "en"
        assert best_accepted([("de", 1.0), ("*", 0.5)]) is None


def test_accept_language_is_honoured_without_a_choice(client):
    html = client.get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fi">' in html and "Kirjaudu sisään" in html and "Sähköpostiosoite" in html
    html = client.get("/login", headers={"Accept-Language": "sv-FI"}).get_data(as_text=True)
    assert '<html lang="sv-FI">' in html and "Logga in" in html  # falls back to the Swedish source
    html = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and "Logga in" in html  # none offered: the organisation's default


def test_posting_locale_fi_switches_to_finnish_over_the_browsers_language(web):
    response = web.post("/language", {"locale": "fi", "next": "/login"}, token_from="/login")
    assert response.status_code == 302
    html = web.client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fi">' in html and "Kirjaudu sisään" in html


def test_the_switch_offers_each_organisation_language_by_its_own_name(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a href="/language/fi?next=/login" lang="fi" hreflang="fi">Suomeksi</a>' in html
    assert '<a href="/language/sv_FI?next=/login" lang="sv-FI" hreflang="sv-FI">På finlandssvenska</a>' in html
    assert '<a href="/language/en?next=/login" lang="en" hreflang="en">In English</a>' in html
    # The current language is text, not a link; the switch comes after the main content.
    assert '<span lang="sv" aria-current="true">På svenska</span>' in html
    assert html.index("</main>") < html.index('class="language-switch"')


def test_each_language_link_switches_the_page(web):
    for code, lang, word in (("en", "en", "Log in"), ("fi", "fi", "Kirjaudu sisään"), ("sv", "sv", "Logga in")):
        response = web.client.get(f"/language/{code}?next=/login")
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        html = web.client.get("/login").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and word in html
        assert f'<span lang="{lang}" aria-current="true">' in html


def test_a_language_the_organisation_does_not_offer_is_refused_and_not_offered(app, web, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_LANGUAGES", ("sv", "en"))
    html = web.client.get("/login", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and 'value="fi"' not in html and "Suomeksi" not in html
    web.post("/language", {"locale": "fi", "next": "/login"}, token_from="/login")
    html = web.client.get("/login").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Språket kunde inte ändras." in html


def test_finland_swedish_overrides_only_its_own_terms(app):
    with app.test_request_context():
        with force_locale("sv_FI"):
            assert _("Skyddsombud") == "Arbetarskyddsfullmäktig"
            assert _("Facklig företrädare") == "Förtroendeman"
            assert _("Skriftlig förhandlingsframställan") == "Skriftlig förhandlingsframställning"
            assert _("Risk- och konsekvensanalys") == "Riskbedömning"
            assert _("Ärenden") == "Ärenden"  # not overridden: the Swedish source
        with force_locale("fi"):
            assert _("Skyddsombud") == "Työsuojeluvaltuutettu"
            assert _("Facklig företrädare") == "Luottamusmies"
            assert _("Styrnings- och uppföljningsgrupp") == "Ohjausryhmä"


def test_a_user_chooses_among_the_languages_on_the_account_page(web, factory):
    user = factory.user("safety_rep")
    web.login(user.email, factory.password)
    html = web.client.get("/account").get_data(as_text=True)
    assert 'action="/language"' in html and 'id="locale"' in html
    web.post("/language", {"locale": "sv_FI", "next": "/account"}, token_from="/account")
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "sv_FI"
    html = web.client.get("/account", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv-FI">' in html and "Arbetarskyddsfullmäktig" in html and "Mitt konto" in html


def test_the_saved_choice_beats_the_browser_in_a_new_session(app, web, factory):
    user = factory.user("union_rep")
    web.login(user.email, factory.password)
    web.post("/language", {"locale": "fi", "next": "/account"}, token_from="/account")
    fresh = Browserless(app.test_client())
    fresh.login(user.email, factory.password)
    html = fresh.client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fi">' in html and "Oma tili" in html and "Luottamusmies" in html


@pytest.mark.parametrize(("saved", "offered", "expected"), [
    (None, ("sv", "sv_FI", "fi", "en"), "sv"),
    ("fi", ("sv", "sv_FI", "fi", "en"), "fi"),
    ("sv_FI", ("sv", "sv_FI", "fi", "en"), "sv_FI"),
    ("fi", ("sv", "en"), "sv"),  # no longer offered: the organisation's default
    (None, ("fi", "sv_FI"), "fi"),  # the default is the organisation's first language
])
def test_locale_for_a_person(app, monkeypatch, saved, offered, expected):
    monkeypatch.setitem(app.config, "ORGANISATION_LANGUAGES", offered)
    with app.app_context():
        assert locale_for(SimpleNamespace(locale=saved)) == expected
        assert locale_for(None) == offered[0]


def test_the_configured_default_language(app, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_DEFAULT_LANGUAGE", "fi")
    with app.app_context():
        assert locale_for(SimpleNamespace(locale=None)) == "fi"
    monkeypatch.setitem(app.config, "ORGANISATION_LANGUAGES", "sv, en")  # as from the environment
    monkeypatch.setitem(app.config, "ORGANISATION_DEFAULT_LANGUAGE", "fi")  # not offered: the first
    with app.app_context():
        assert locale_for(SimpleNamespace(locale=None)) == "sv"


def test_a_language_link_is_remembered_on_the_account_and_audited(factory, web):
    from tracker.audit.models import AuditEvent
    from tracker.extensions import db

    user = factory.user("hr_officer")
    web.login(user.email, factory.password)
    response = web.client.get("/language/fi?next=/cases%3Fq%3Dx")
    assert response.status_code == 302 and response.headers["Location"] == "/cases?q=x"
    db.session.refresh(user)
    assert user.locale == "fi"
    events = db.session.query(AuditEvent).filter_by(action="user.language_changed", actor_id=user.id).all()
    assert [e.payload["locale"] for e in events] == ["fi"]
    web.client.get("/language/fi?next=/home")  # the same language again: nothing new to record
    assert db.session.query(AuditEvent).filter_by(action="user.language_changed").count() == 1


def test_a_language_link_from_another_site_changes_nothing(factory, web):
    user = factory.user("hr_officer")
    web.login(user.email, factory.password)
    response = web.client.get("/language/en?next=/home", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    from tracker.extensions import db
    db.session.refresh(user)
    assert user.locale != "en" and '<html lang="sv">' in web.client.get("/home").get_data(as_text=True)


def test_unknown_languages_and_foreign_targets_are_refused(web):
    assert web.client.get("/language/de?next=/login").status_code == 404
    assert web.client.get("/language/..?next=/login").status_code == 404
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = web.client.get("/language/en", query_string={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/home"
