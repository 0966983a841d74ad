"""CSV cells a spreadsheet would run as formulas are neutralised; the bundle still verifies (issue 15, 6)."""
from __future__ import annotations

import zipfile

import pytest

from tests.exports.conftest import csv_rows
from tests.exports.test_bundle import run_verifier
from tracker.discussion import services as discussion
from tracker.exports import csv_safety, services, verify_record
from tracker.extensions import db

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_gets_a_quote(lead):
    value = f"{lead}HYPERLINK(\"https://evil.example\")"
    assert csv_safety.neutralise(value) == "'" + value
    assert services.csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Helena Rask", "case.created", "1234", "3.5", "a=b", "x-1", "'quoted",
                                   "{\"a\":-1}", " =leading space", "Örjan", "2026-12-02T02:30:00+00:00"])
def test_ordinary_values_are_unchanged(value):
    assert csv_safety.neutralise(value) == value


def test_negative_numbers_are_neutralised_too():
    # OWASP's rule: "-1" could be the start of "-1+cmd|..."; a spreadsheet shows '-1 as the text -1.
    assert csv_safety.neutralise("-1") == "'-1"
    assert services.csv_cell(-1) == "'-1"


@pytest.mark.parametrize("value", [ATTACK, "'=x", "''+x", "-1", "'", "''", "'abc", "plain", "\t", "@", ""])
def test_neutralising_is_undone_exactly_by_the_app_and_the_standalone_verifier(value):
    written = csv_safety.neutralise(value)
    assert csv_safety.restore(written) == value
    assert verify_record.restore_cell(written) == value


def test_auditors_csv_holds_the_name_as_text_and_the_bundle_verifies(setup, factory, tmp_path):
    case = setup["case"]
    attacker = factory.user("union_rep", name=ATTACK)
    factory.member(case, attacker, "personnel", units=["Hemtjänst Åby"])
    discussion.add_comment(attacker, case, "early_information", "-1+1")  # an event with the attacker as actor
    db.session.commit()
    rows = csv_rows(services.export_csv(case, setup["auditor"]).data.decode("utf-8"))
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]
    assert "'" + ATTACK in [row["actor_name"] for row in rows]
    bundle = services.export_bundle(case, setup["auditor"])
    db.session.commit()
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle.data)
    with zipfile.ZipFile(path) as archive:
        bundled = archive.read("audit-events.csv").decode("utf-8")
    assert "'" + ATTACK in [row["actor_name"] for row in csv_rows(bundled)]
    result = run_verifier(path)
    assert result.returncode == 0, result.stdout + result.stderr
