"""Browser, in Finnish: scenario S1 (fi-municipal, lay-offs) walked end to end by a Finnish-speaking
HR officer and decision maker, the record exported in Finnish, and axe clean on the Finnish pages."""
from __future__ import annotations

import json

from tests.browser.conftest import axe_violations, login, logout, sign_in, switch_language, switch_user
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db

YEAR = 2026


def _setup_group_and_risk(case_id: int) -> None:
    """Steering group and a co-signed risk assessment (other features' UIs), through their services."""
    from tracker.auth.services import find_user_by_email
    from tracker.cases.models import Case
    from tracker.risk import services as risk
    from tracker.steering import services as steering

    case = db.session.get(Case, case_id)
    hr = case.responsible_hr
    steering.add_member(hr, case, hr, party="employer", role="chair")
    steering.add_member(hr, case, find_user_by_email("decision@example.org"), party="employer")
    steering.add_member(hr, case, find_user_by_email("union@example.org"), party="personnel", units=["Kotihoito"])
    safety = find_user_by_email("safety@example.org")
    steering.add_member(hr, case, safety, party="personnel", role="safety_representative")
    db.session.commit()
    assessment = risk.create_assessment(hr, case, summary="Lomautusten riskit arvioitu yhdessä.")
    db.session.commit()
    risk.cosign(safety, assessment, password=DEMO_PASSWORD)
    db.session.commit()
    db.session.remove()


def _save_stage(page, code: str, values: dict[str, str]) -> None:
    section = page.locator(f"#stage-{code}")
    if section.locator("details.stage-edit").get_attribute("open") is None:  # open on the current stage
        section.locator("details.stage-edit > summary").click()
    for name, value in values.items():
        page.fill(f"#{code}-{name}", value)
    with page.expect_navigation():
        section.locator("details.stage-edit button[type=submit]").click()
    assert page.get_by_text("Tiedot on tallennettu.").is_visible()


def _complete(page, label: str) -> None:
    # A legal milestone: the link leads to its confirmation page.
    with page.expect_navigation():
        page.get_by_role("link", name=f"Päätä vaihe {label}…").click()
    assert page.get_by_role("heading", name=f"Päätetäänkö vaihe {label}?").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Kyllä, päätä vaihe").click()
    assert page.get_by_text("Vaihe on päättynyt.").is_visible()


def _schedule(page, case_id: int, day: int, stage: str):
    page.goto(f"/cases/{case_id}/meetings/new")
    page.get_by_label("Otsikko").fill(f"Yhteistoimintaneuvottelu {day}.3.")
    page.fill("#starts_at", f"{YEAR}-03-{day:02d}T10:00")
    page.fill("#ends_at", f"{YEAR}-03-{day:02d}T12:00")
    page.get_by_label("Paikka").fill("Kaupungintalo")
    page.check(f"input[name=stages][value={stage}]")
    with page.expect_navigation():
        page.get_by_role("button", name="Suunnittele kokous").click()


def _axe_clean(page, paths: list[str]) -> None:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "fi", path
        count, report = axe_violations(page)
        if count:
            problems.append(f"{path}: {count} violation(s)\n{report}")
    assert not problems, "\n\n".join(problems)


def test_s1_in_finnish_end_to_end(page, live_server, tmp_path):
    # The switch offers Finnish by its own name; the HR officer chooses it (kept on the account).
    sign_in(page, "hr@example.org")
    page.goto("/home")
    # (a select or links: either way the choice is named "Suomeksi", marked lang="fi")
    assert page.locator('.language-switch [lang="fi"]', has_text="Suomeksi").count() == 1
    switch_language(page, "fi")
    assert page.locator("html").get_attribute("lang") == "fi"

    # 1. HR registers "Lomautukset, kotihoito": 8 employees, may lead to lay-offs.
    page.goto("/cases/new")
    page.get_by_label("Otsikko").fill("Lomautukset, kotihoito")
    page.get_by_label("Kuvaus").fill("Kotihoidon henkilöstön lomauttaminen talouden tasapainottamiseksi.")
    page.select_option("#change_kind", "cuts")
    page.fill("#staff_affected", "8")
    page.get_by_role("group", name="Muutoksen koskemat yksiköt").get_by_label("Kotihoito").check()  # the register
    page.get_by_label("Voi johtaa irtisanomisiin, lomautuksiin tai osa-aikaistamisiin").check()
    page.select_option("#profile_code", "fi-municipal")
    assert "Suomi, kunta (KYNK, laki 449/2007)" in page.locator("#profile_code").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Kirjaa", exact=True).click()
    assert "Lomautukset, kotihoito" in page.locator("h1").inner_text()
    case_id = int(page.url.split("#")[0].rstrip("/").split("/")[-1])
    assert "Suomi, kunta (KYNK, laki 449/2007)" in page.content()  # the facts (may be folded)
    _setup_group_and_risk(case_id)
    page.reload()

    # 2. Early information; the written negotiation proposal delivered on 2 March.
    _save_stage(page, "early_information", {
        "information_given": "Tiedote henkilöstölle", "information_to": "Kotihoidon henkilöstö ja luottamusmiehet",
        "information_given_on": f"{YEAR}-02-27", "proposal_text": "Neuvotteluesitys lomautuksista",
        "proposal_delivered_at": f"{YEAR}-03-02T09:00"})
    _complete(page, "Ennakkotiedottaminen")

    # 3. A first meeting on 5 March is refused: the proposal must precede it by 5 days (7 March).
    _schedule(page, case_id, 5, "grounds")
    error = page.locator(".error, .error-summary").first.inner_text()
    assert "2026-03-07" in error and "neuvotteluesitys" in error  # the gate names the day in ISO form

    # 4. Meetings on 7, 14 and 20 March cover grounds, effects and alternatives.
    for day, stage in ((7, "grounds"), (14, "effects"), (20, "alternatives")):
        _schedule(page, case_id, day, stage)
        assert page.get_by_text("Kokous on suunniteltu.").is_visible()
    page.goto(f"/cases/{case_id}")
    _save_stage(page, "grounds", {"reasons": "Talousarvion sopeuttaminen"})
    _complete(page, "Perusteet")
    _save_stage(page, "effects", {"effects_staff": "8 työntekijää lomautetaan 30 päiväksi"})
    _complete(page, "Vaikutukset")
    _save_stage(page, "alternatives", {"alternatives_considered": "Osa-aikaistaminen"})
    _complete(page, "Vaihtoehdot")
    with page.expect_navigation():
        page.locator("#stage-closing").get_by_role("link", name="Kirjaa neuvottelun päättyminen…").click()
    assert page.get_by_role("heading", name="Kirjataanko neuvottelun päättyminen?").is_visible()
    page.select_option("#end-end_mode", "disagreement")
    page.fill("#end-ended_at", f"{YEAR}-03-20T11:00")
    page.fill("#end-employer_position", "Lomautukset toteutetaan.")
    page.fill("#end-personnel_position", "Vastustamme lomautuksia.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirjaa päättyminen").click()
    assert page.get_by_text("Neuvottelun päättyminen on kirjattu.").is_visible()
    _complete(page, "Päättäminen")

    # 5. The case page: minimum period met on 20 March, decision possible from 21 March.
    deadlines = page.locator("#deadlines").inner_text()
    assert "Vähimmäisneuvotteluaika täyttynyt" in deadlines and "20. maaliskuuta 2026" in deadlines
    assert "Päätös mahdollinen alkaen" in deadlines and "21. maaliskuuta 2026" in deadlines
    assert "Kirjallinen neuvotteluesitys viimeistään viisi päivää" in deadlines  # the profile's basis, in Finnish
    count, report = axe_violations(page)
    assert count == 0, report

    # 6. The decision maker, in Finnish too, registers the decision on 21 March.
    switch_user(page, "decision@example.org")
    page.goto("/home")
    switch_language(page, "fi")
    page.goto(f"/cases/{case_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Kirjaa päätös…").click()
    assert page.get_by_role("heading", name="Kirjataanko päätös?").is_visible()
    page.fill("#decision-body", "Perusturvalautakunta")
    page.fill("#decision-decided_on", f"{YEAR}-03-21")
    page.fill("#decision-reference", "§ 41")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirjaa päätös", exact=True).click()
    assert page.get_by_text("Päätös on kirjattu.").is_visible()
    logout(page)

    # The HR officer's saved choice: Finnish from the login on; the record exported in Finnish.
    login(page, "hr@example.org")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.goto(f"/cases/{case_id}")
    page.select_option("#exports-language", "fi")  # the case's language is the organisation's default (sv)
    with page.expect_download() as download:
        page.locator(".exports-panel").get_by_role("button", name="JSON").click()
    path = tmp_path / "record.json"
    download.value.save_as(path)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["language"] == "fi" and record["case"]["language"] == "sv"
    stages = {s["code"]: s["label"] for s in record["stages"]}
    assert stages["early_information"] == "Ennakkotiedottaminen" and stages["closing"] == "Päättäminen"
    assert record["decision"]["decided_on"] == f"{YEAR}-03-21"
    assert record["legal_basis"]["profile_name"] == "Suomi, kunta (KYNK, laki 449/2007)"

    _axe_clean(page, ["/home", "/cases", "/cases/new", f"/cases/{case_id}", f"/cases/{case_id}/meetings",
                      f"/cases/{case_id}/steering", "/notifications", "/account"])
    # The only console error is the refused meeting's answer (409, step 3).
    assert [e for e in page.console_errors if "409" not in e] == []
