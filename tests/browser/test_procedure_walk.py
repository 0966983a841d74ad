"""Browser: HR registers a case and walks it to closing in the UI; a union representative adds a
position on the way."""
from __future__ import annotations

from datetime import datetime, timedelta

from tests.browser.conftest import axe_violations, sign_in, switch_user
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db


def _setup_group_and_risk(case_id: int) -> None:
    """Steering group and a co-signed risk assessment (other features' UIs), through their services."""
    from tracker.auth.services import find_user_by_email
    from tracker.cases.models import Case
    from tracker.risk import services as risk
    from tracker.steering import services as steering

    case = db.session.get(Case, case_id)
    hr = case.responsible_hr
    steering.add_member(hr, case, hr, party="employer", role="chair")
    steering.add_member(hr, case, find_user_by_email("union@example.org"), party="personnel", units=["Parkförvaltningen"])
    safety = find_user_by_email("safety@example.org")
    steering.add_member(hr, case, safety, party="personnel", role="safety_representative")
    db.session.commit()
    assessment = risk.create_assessment(hr, case, summary="Risker vid flytt av förråd bedömda.")
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
    assert page.get_by_text("Uppgifterna är sparade.").is_visible()


def _complete(page, code: str, label: str) -> None:
    # A legal milestone: the link leads to its confirmation page, which states the consequence.
    with page.expect_navigation():
        page.locator(f"#stage-{code}").get_by_role("link", name=f"Avsluta skedet {label}…").click()
    assert page.get_by_role("heading", name=f"Avsluta skedet {label}?").is_visible()
    assert page.get_by_text("registreras i granskningsloggen").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, avsluta skedet").click()
    assert page.get_by_text("Skedet är avslutat.").is_visible()
    # The confirmation has the focus (autofocus on a tabindex=-1 target, no script needed).
    assert page.evaluate("document.activeElement.id") == "confirmation"


def test_hr_walks_a_case_to_closing(page, live_server):
    sign_in(page, "hr@example.org")
    page.goto("/cases/new")
    page.get_by_label("Rubrik").fill("Ny organisation för parkförvaltningen")
    page.get_by_label("Beskrivning").fill("Parkförvaltningen och gatuenheten slås ihop.")
    page.select_option("#change_kind", "merger")
    page.get_by_role("group", name="Berörda enheter").get_by_label("Parkförvaltningen").check()  # the register
    page.select_option("#profile_code", "se-mbl")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera").click()
    heading = page.locator("h1").inner_text()
    assert "SAM-" in heading and "parkförvaltningen" in heading
    assert page.get_by_text("Ärendet är registrerat med diarienummer").is_visible()
    assert page.evaluate("document.activeElement.id") == "confirmation"
    case_id = int(page.url.split("#")[0].rstrip("/").split("/")[-1])

    # The gate is shown beside the disabled action until both parties are represented.
    assert page.get_by_text("Styrnings- och uppföljningsgruppen saknar en företrädare för personalen.").first.is_visible()
    assert page.get_by_role("button", name="Avsluta skedet Tidig information").is_disabled()
    _setup_group_and_risk(case_id)
    page.reload()

    _save_stage(page, "early_information", {"information_given": "Information på APT",
                                            "information_to": "All personal",
                                            "information_given_on": "2026-01-12"})
    _complete(page, "early_information", "Tidig information")
    _save_stage(page, "grounds", {"reasons": "Samordningsvinster och budget"})

    # The union representative adds the personnel side's position to the grounds.
    switch_user(page, "union@example.org")
    page.goto(f"/cases/{case_id}")
    section = page.locator("#stage-grounds")
    assert section.locator("#position-grounds-text").is_visible()  # the current stage's forms are open
    page.fill("#position-grounds-text", "Vi anser att grunderna inte är tillräckligt utredda.")
    page.check("#position-grounds-dissent")
    with page.expect_navigation():
        section.get_by_role("button", name="Spara ståndpunkt").click()
    assert page.get_by_text("Ståndpunkten är registrerad.").is_visible()

    switch_user(page, "hr@example.org")
    page.goto(f"/cases/{case_id}")
    assert "tillräckligt utredda" in page.locator("#stage-grounds .positions").inner_text()
    _complete(page, "grounds", "Grunder")
    _save_stage(page, "effects", {"effects_staff": "Nya arbetslag"})
    _complete(page, "effects", "Verkningar")
    _save_stage(page, "alternatives", {"alternatives_considered": "Behålla två enheter"})
    _complete(page, "alternatives", "Alternativ")

    # se-mbl: no negotiation meeting was held in this walk, so the reason is recorded.
    _save_stage(page, "closing", {"no_meeting_reason": "Facket avböjde förhandling skriftligen."})
    with page.expect_navigation():
        page.locator("#stage-closing").get_by_role("link", name="Registrera förhandlingens avslutning").click()
    assert page.get_by_text("Registreringen kan inte ångras.").is_visible()
    page.select_option("#end-end_mode", "agreement")
    page.fill("#end-ended_at", (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#end-employer_position", "Sammanslagningen genomförs.")
    page.fill("#end-personnel_position", "Vi godtar med stegvis införande.")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera avslutning").click()
    assert page.get_by_text("Förhandlingens avslutning är registrerad.").is_visible()
    _complete(page, "closing", "Avslutande")
    assert "Beslut" in page.locator(".stepper li.step-current").inner_text()
    assert page.locator('.stepper a[aria-current="step"]').inner_text().endswith("Beslut")
    count, report = axe_violations(page)
    assert count == 0, report
    assert not page.console_errors
