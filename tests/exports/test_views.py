"""Export over HTTP: the case-page panel, downloads, the auditor overview and bulk export; the CLI."""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from tests.exports.conftest import post_export
from tracker.audit.models import AuditEvent
from tracker.extensions import db


def export_events():
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == "export.generated")).scalars().all()


def test_auditor_downloads_each_format(web, setup):
    case, auditor = setup["case"], setup["auditor"]
    web.login(auditor.email, "correct-horse-battery")
    for fmt, mimetype in (("pdf", "application/pdf"), ("json", "application/json"), ("csv", "text/csv"),
                          ("bundle", "application/zip")):
        response = post_export(web, case.id, fmt, token_from="/exports")
        assert response.status_code == 200, fmt
        assert response.mimetype == mimetype
        assert "attachment" in response.headers["Content-Disposition"]
        assert case.diary_number in response.headers["Content-Disposition"]
    assert [e.payload["format"] for e in export_events()] == ["pdf", "json", "csv", "bundle"]


def test_responsible_hr_may_export_member_and_others_may_not(web, setup, factory):
    case = setup["case"]
    web.login(setup["hr"].email, "correct-horse-battery")
    assert post_export(web, case.id, "json").status_code == 200
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    web.login(setup["union"].email, "correct-horse-battery")
    assert post_export(web, case.id, "json").status_code == 403
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    other_hr = factory.user("hr_officer")
    web.login(other_hr.email, "correct-horse-battery")
    assert post_export(web, case.id, "json").status_code == 404
    assert post_export(web, 999999, "json").status_code == 404
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    outsider = factory.user("union_rep")  # may not see the case: 404 like every other case URL
    web.login(outsider.email, "correct-horse-battery")
    assert post_export(web, case.id, "json").status_code == 404
    assert len(export_events()) == 1


def test_bad_format_is_a_400_and_nothing_is_exported(web, setup):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = post_export(web, setup["case"].id, "docx", token_from="/exports")
    assert response.status_code == 400
    assert export_events() == []


def test_export_without_csrf_token_is_refused(web, setup):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.client.post(f"/cases/{setup['case'].id}/export", data={"exports-format": "pdf"})
    assert response.status_code == 400
    assert export_events() == []


def test_case_panel_shows_buttons_only_to_exporters(app, setup):
    from types import SimpleNamespace

    from flask import render_template

    from tracker.exports.forms import panel_forms
    from tracker.exports.queries import panel

    for user, visible in ((setup["auditor"], True), (setup["hr"], True), (setup["union"], False)):
        with app.test_request_context():
            exports = panel(user, setup["case"])
            page = SimpleNamespace(exports=exports, forms=SimpleNamespace(exports=panel_forms(exports)))
            html = render_template("exports/_case_panel.html", page=page)
        assert exports.can_export is visible
        assert ('name="exports-format" value="bundle"' in html) is visible
        assert (panel_forms(exports).export is not None) is visible


def test_overview_lists_and_filters_cases(web, setup, factory):
    fi_case = factory.case(profile="fi-municipal", title="Lomautukset, kotihoito")
    web.login(setup["auditor"].email, "correct-horse-battery")
    page = web.client.get("/exports").get_data(as_text=True)
    assert setup["case"].diary_number in page and fi_case.diary_number in page
    assert "Revision och export" in page  # nav item
    assert "<td>Finland, kommun (KYNK, lag 449/2007)</td>" in page and "<td>fi-municipal</td>" not in page
    page = web.client.get("/exports?profile=fi-municipal").get_data(as_text=True)
    assert fi_case.diary_number in page and setup["case"].diary_number not in page
    page = web.client.get("/exports?non_compliance=yes").get_data(as_text=True)
    assert fi_case.diary_number not in page
    page = web.client.get("/exports?status=active&registered_from=2000-01-01").get_data(as_text=True)
    assert fi_case.diary_number in page


def test_overview_bad_filters_answer_400_with_field_messages(web, setup):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.client.get("/exports?registered_from=2026-05-01&registered_to=2026-04-01")
    assert response.status_code == 400
    assert "Slutdatumet ligger före startdatumet." in response.get_data(as_text=True)
    response = web.client.get("/exports?registered_from=inte-ett-datum&profile=okänd")
    assert response.status_code == 400
    assert 'value="inte-ett-datum"' in response.get_data(as_text=True)  # the input is kept


def test_overview_is_for_auditors_only(web, setup):
    web.login(setup["hr"].email, "correct-horse-battery")
    assert web.client.get("/exports").status_code == 403


def test_bulk_export_zips_one_bundle_per_case(web, setup, factory):
    fi_case = factory.case(profile="fi-municipal")
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.post("/exports/bulk", {"profile": "", "status": "active"}, token_from="/exports")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as outer:
        names = sorted(outer.namelist())
        assert names == sorted(f"{c.diary_number}-procedure-record.zip" for c in (setup["case"], fi_case))
        with zipfile.ZipFile(io.BytesIO(outer.read(names[0]))) as inner:
            assert "manifest.json" in inner.namelist()
    events = export_events()
    assert len(events) == 2 and all(e.payload["bulk"] is True for e in events)


def test_bulk_export_with_nothing_matching_is_a_400(web, setup):
    web.login(setup["auditor"].email, "correct-horse-battery")
    response = web.post("/exports/bulk", {"status": "archived"}, token_from="/exports")
    assert response.status_code == 400
    assert "Inga ärenden matchar filtret." in response.get_data(as_text=True)


def test_cli_exports_as_the_named_user(runner, setup, tmp_path):
    case, auditor = setup["case"], setup["auditor"]
    target = tmp_path / "record.json"
    result = runner.invoke(args=["export", "case", case.diary_number, "--format", "json", "--output", str(target),
                                 "--as", auditor.email])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["case"]["diary_number"] == case.diary_number
    result = runner.invoke(args=["export", "case", case.diary_number, "--format", "bundle", "--output",
                                 str(tmp_path), "--as", auditor.email])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{case.diary_number}-procedure-record.zip").exists()
    (event, _bundle) = export_events()
    assert event.actor_id == auditor.id


def test_cli_refuses_users_who_may_not_export(runner, setup, tmp_path):
    case = setup["case"]
    target = tmp_path / "x.pdf"
    result = runner.invoke(args=["export", "case", case.diary_number, "--output", str(target),
                                 "--as", setup["union"].email])
    assert result.exit_code != 0 and "får inte exportera" in result.output
    result = runner.invoke(args=["export", "case", "SAM-1999-0001", "--output", str(target), "--as",
                                 setup["auditor"].email])
    assert result.exit_code != 0 and "no case SAM-1999-0001" in result.output
    result = runner.invoke(args=["export", "case", case.diary_number, "--as", "nobody@example.org"])
    assert result.exit_code != 0
    assert not target.exists() and export_events() == []


def test_case_page_has_the_export_panel_for_exporters(web, setup):
    case = setup["case"]
    web.login(setup["auditor"].email, "correct-horse-battery")
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Exportera protokollet" in html and f'action="/cases/{case.id}/export"' in html
    web.client.post("/logout", data={"csrf_token": web.token("/account")})
    web.login(setup["union"].email, "correct-horse-battery")
    html = web.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Exportera protokollet" not in html
