"""Every demo case exports in all four formats, from the web and the CLI; JSON validates, bundles verify."""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from tests.demo_support import demo_context
from tests.exports.conftest import post_export
from tests.exports.test_bundle import run_verifier
from tests.exports.test_services import validate
from tracker.cases.models import Case
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db


def test_every_demo_case_exports_from_the_cli_and_the_web(app, runner, web, tmp_path):
    # The demo loaded once per database and test run (shared with the access and fuzz tests),
    # copied back into this test's database.
    demo_context(app)
    cases = db.session.execute(select(Case).order_by(Case.id)).scalars().all()
    assert cases
    for case in cases:
        for fmt in ("pdf", "json", "csv", "bundle"):
            target = tmp_path / f"{case.diary_number}.{fmt}"
            result = runner.invoke(args=["export", "case", case.diary_number, "--format", fmt, "--output",
                                         str(target), "--as", "auditor@example.org"])
            assert result.exit_code == 0, (case.diary_number, fmt, result.output)
        validate(json.loads((tmp_path / f"{case.diary_number}.json").read_text()))
        outcome = run_verifier(tmp_path / f"{case.diary_number}.bundle")
        assert outcome.returncode == 0, outcome.stdout

    web.login("hr@example.org", DEMO_PASSWORD)
    for case in cases:
        if case.responsible_hr.email != "hr@example.org":
            continue
        token = web.token(f"/cases/{case.id}")  # the case page offers the export (its form's token)
        for fmt in ("pdf", "json", "csv", "bundle"):
            response = post_export(web, case.id, fmt, token=token)
            assert response.status_code == 200, (case.diary_number, fmt)
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            validate(json.loads(archive.read("record.json")))
