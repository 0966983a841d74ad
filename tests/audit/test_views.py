"""The audit pages over HTTP: access, filters, paging, badge, "verify now", query counts."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.audit import helpers as h
from tests.conftest import Browserless
from tracker.audit.canonical import canonical_json, chain_hash
from tracker.audit.models import AuditEvent, AuditVerification
from tracker.extensions import db
from tracker.steering.models import Party


def _login(web, factory, role):
    user = factory.user(role)
    assert web.login(user.email, factory.password).status_code == 302
    return user


def _verify(web, data: dict | None = None, *, token_from: str = "/audit"):
    """Press "verify now" (the form's fields carry the `verify` prefix)."""
    return web.client.post("/audit/verify", data={**(data or {}), "verify-csrf_token": web.token(token_from)})


def _html(response) -> str:
    return response.get_data(as_text=True)


def bulk_events(n: int, *, case_id: int | None = None, start_at: datetime | None = None) -> None:
    """Append n events directly after the current head (fast; hashes are real)."""
    from tracker.audit.chain import current_head

    seq, prev = current_head()
    db.session.commit()
    when = start_at or datetime.now(UTC)
    rows = []
    for i in range(seq + 1, seq + n + 1):
        row = dict(seq=i, occurred_at=when + timedelta(seconds=i - seq - 1), actor_id=None, actor_name=f"Aktör {i % 5}",
                   actor_role="hr_officer", action="case.updated" if i % 2 else "document.downloaded",
                   target_type="cases", target_id=str(case_id), case_id=case_id, client_address="10.0.0.1",
                   payload={"i": i})
        row["prev_hash"] = prev
        row["hash"] = prev = chain_hash(prev, canonical_json(row))
        rows.append(row)
    with h.attacker() as conn:  # a plain insert; the trigger only forbids UPDATE/DELETE
        conn.execute(h.TABLE.insert(), rows)


# --- access ----------------------------------------------------------------------------------

def test_global_trail_for_auditors_only(web, factory):
    _login(web, factory, "auditor")
    response = web.client.get("/audit")
    assert response.status_code == 200
    assert "Granskningslogg" in _html(response)


@pytest.mark.parametrize("role", ["hr_officer", "union_rep", "admin", "decision_maker"])
def test_global_trail_forbidden_for_others(web, factory, role):
    _login(web, factory, role)
    assert web.client.get("/audit").status_code == 403


def test_global_trail_needs_login(client):
    response = client.get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_trail_access(web, factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr)
    member = factory.user("union_rep")
    factory.member(case, member, Party.PERSONNEL)
    outsider = factory.user("union_rep")
    admin = factory.user("admin")
    other_hr = factory.user("hr_officer")
    auditor = factory.user("auditor")
    path = f"/cases/{case.id}/audit"
    for user, status in ((hr, 200), (member, 200), (auditor, 200), (outsider, 404), (admin, 404), (other_hr, 404)):
        browser = Browserless(web.client.application.test_client())
        assert browser.login(user.email, factory.password).status_code == 302
        assert browser.client.get(path).status_code == status, user.email
    assert browser.client.get("/cases/999999/audit").status_code == 404


def test_case_trail_shows_only_that_case(web, factory):
    hr = _login(web, factory, "hr_officer")
    case = factory.case(hr)
    other = factory.case(hr)
    html = _html(web.client.get(f"/cases/{case.id}/audit"))
    assert f"{hr.name} registrerade ärendet {case.diary_number}" in html
    assert "<code>case.opened</code>" not in html  # codes and raw payloads are for auditors
    events = db.session.execute(select(AuditEvent).where(AuditEvent.case_id == other.id)).scalars().all()
    assert events
    for e in events:
        assert f'<th scope="row">{e.seq}</th>' not in html
    # Addresses are for auditors only.
    assert "<th scope=\"col\">Adress</th>" not in html


# --- content, filters, paging -----------------------------------------------------------------

def test_times_in_org_zone_with_utc_on_hover(web, factory):
    _login(web, factory, "auditor")
    bulk_events(1, start_at=datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC))
    html = _html(web.client.get("/audit?actor=Aktör"))
    assert 'title="2025-01-15 10:00:00 UTC"' in html
    assert "15 januari 2025 11:00" in html  # Europe/Stockholm, winter time; the one date format of Swedish pages


def test_filters_actor_action_dates(web, factory):
    _login(web, factory, "auditor")
    bulk_events(6, start_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    base = db.session.execute(select(AuditEvent.seq).where(AuditEvent.actor_name.like("Aktör%"))
                              .order_by(AuditEvent.seq)).scalars().all()

    def shown(query: str) -> set[int]:
        html = _html(web.client.get("/audit?" + query))
        return {s for s in base if f'<th scope="row">{s}</th>' in html}

    assert shown("") == set(base)
    assert shown("action=document.downloaded") == {s for s in base if s % 2 == 0}
    assert shown("action=document.") == {s for s in base if s % 2 == 0}
    assert shown(f"actor=akt%C3%B6r+{base[0] % 5}") == {s for s in base if s % 5 == base[0] % 5}
    assert shown("date_from=2025-03-01&date_to=2025-03-01") == set(base)
    assert shown("date_from=2025-03-02") == set()
    assert shown("date_to=2025-02-28") == set()


@pytest.mark.parametrize("query, field", [
    ("date_from=2025-03-05&date_to=2025-03-01", "date_to"),
    ("date_from=inte-ett-datum", "date_from"),
    ("action=DROP%20TABLE", "action"),
])
def test_bad_filters_are_400_with_field_message(web, factory, query, field):
    _login(web, factory, "auditor")
    response = web.client.get("/audit?" + query)
    assert response.status_code == 400
    html = _html(response)
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html


def test_bad_cursor_is_400(web, factory):
    _login(web, factory, "auditor")
    assert web.client.get("/audit?before=abc").status_code == 400


def test_keyset_paging(web, factory):
    _login(web, factory, "auditor")
    bulk_events(120)
    head = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    first = _html(web.client.get("/audit"))
    assert f'<th scope="row">{head}</th>' in first and f'<th scope="row">{head - 49}</th>' in first
    assert f'<th scope="row">{head - 50}</th>' not in first
    assert f"before={head - 49}" in first and "after=" not in first
    second = _html(web.client.get(f"/audit?before={head - 49}"))
    assert f'<th scope="row">{head - 50}</th>' in second and f'<th scope="row">{head}</th>' not in second
    assert f"after={head - 50}" in second
    back = _html(web.client.get(f"/audit?after={head - 50}"))
    assert f'<th scope="row">{head}</th>' in back and f'<th scope="row">{head - 50}</th>' not in back


# --- badge and verify now ---------------------------------------------------------------------

def test_verify_now_stores_result_and_shows_badge(web, factory):
    auditor = _login(web, factory, "auditor")
    html = _html(web.client.get("/audit"))
    assert "Ej verifierad" in html
    response = _verify(web, {"next": "/audit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/audit")
    run = db.session.execute(select(AuditVerification)).scalar_one()
    assert run.ok and run.source == "web" and run.actor_id == auditor.id
    html = _html(web.client.get("/audit"))
    assert "Intakt" in html


def test_verify_now_reports_tampering(web, factory):
    _login(web, factory, "auditor")
    h.build_chain(4)
    h.edit_payload(2)
    response = _verify(web, {"next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/audit")
    html = _html(web.client.get("/audit"))
    assert "Manipulerad" in html and "ändrad händelse" in html


def test_verify_now_needs_csrf_and_auditor(web, factory):
    _login(web, factory, "auditor")
    assert web.client.post("/audit/verify").status_code == 400
    hr = factory.user("hr_officer")
    other = Browserless(web.client.application.test_client())
    other.login(hr.email, factory.password)
    assert _verify(other, token_from="/account").status_code == 403


def test_case_panel_template(app, factory):
    from types import SimpleNamespace

    from flask import render_template

    from tracker.audit.forms import panel_forms
    from tracker.audit.queries import panel

    case = factory.case()
    for user, verify in ((case.responsible_hr, False), (factory.user("auditor"), True)):
        with app.test_request_context():
            audit = panel(user, case)
            page = SimpleNamespace(audit=audit, forms=SimpleNamespace(audit=panel_forms(audit)))
            html = render_template("audit/_case_panel.html", page=page)
        assert f"/cases/{case.id}/audit" in html and "Ej verifierad" in html
        assert ("Verifiera nu" in html) is verify and audit.can_verify is verify


def test_nav_link_for_auditors(web, factory):
    _login(web, factory, "auditor")
    assert 'href="/audit"' in _html(web.client.get("/home"))


# --- constant queries ------------------------------------------------------------------------

@pytest.mark.parametrize("scope", ["global", "case"])
def test_query_count_constant_for_10_and_1000_events(web, factory, scope, count_queries):
    hr = factory.user("hr_officer")
    case = factory.case(hr)
    _login(web, factory, "auditor")
    case_id = case.id
    path = "/audit" if scope == "global" else f"/cases/{case_id}/audit"
    _verify(web)
    counts = []
    for n in (10, 990):
        bulk_events(n, case_id=case_id)
        web.client.get(path)  # warm-up (first-request caches)
        with count_queries() as statements:
            response = web.client.get(path)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] > 0, counts
