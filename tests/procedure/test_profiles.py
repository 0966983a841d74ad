import json

import pytest

from tracker.procedure.profiles import (
    SETTING_NAMES,
    ProfileError,
    ProfileSettings,
    get_profile,
    load_profile_file,
    profile_codes,
    profile_schema,
    validate_profile,
)


def test_shipped_profiles_load_with_versions(app):
    fi = get_profile("fi-municipal")
    se = get_profile("se-mbl")
    assert fi.version == "1" and fi.settings.proposal_lead_days == 5 and fi.settings.min_negotiation_days == 14
    assert fi.settings.large_staff_extended_period_enabled is False
    assert se.settings.central_negotiation_window_days == 7 and se.settings.requires_risk_assessment_cosigned
    assert se.settings.allows_urgent_decision and se.settings.minutes_approved_by_both
    assert se.settings.evaluation_due_months == 6


@pytest.mark.parametrize("data,message", [
    ([], "JSON object"),
    ({"code": "X Y", "version": "1"}, "'code'"),
    ({"code": "ok", "version": ""}, "'version'"),
    ({"code": "ok", "version": "1", "settings": {"proposal_lead_dayz": 5}}, "unknown setting 'proposal_lead_dayz'"),
    ({"code": "ok", "version": "1", "settings": {"proposal_lead_days": -1}}, "whole number"),
    ({"code": "ok", "version": "1", "settings": {"allows_urgent_decision": "yes"}}, "true or false"),
    ({"code": "ok", "version": "1", "settings": {"proposal_lead_days": True}}, "whole number"),
    ({"code": "ok", "version": "1", "settings": {"evaluation_due_months": 0}},
     "'evaluation_due_months' must be a whole number >= 1"),
    ({"code": "ok", "version": "1", "settings": []}, "'settings' must be an object"),
    ({"code": "ok", "version": "1", "name": ["x"]}, "'name'"),
    ({"code": "ok", "version": "1", "legal_basis": 7}, "'legal_basis'"),
    ({"code": "ok", "version": "1", "extra": 1}, "unknown keys: extra"),
    ({"version": "1"}, "'code' is a required property"),
])
def test_invalid_profiles_are_refused_with_a_clear_message(app, data, message):
    with pytest.raises(ProfileError) as info:
        validate_profile(data, "custom.json")
    assert message in str(info.value) and "custom.json" in str(info.value)


def test_broken_json_file(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{nope")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile_file(path)


def _custom_dir(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "no-kommune.json").write_text(json.dumps({
        "code": "no-kommune", "version": "2025.1", "name": "Norge, kommune",
        "settings": {"proposal_lead_days": 3, "min_negotiation_days": 10},
    }))
    return d


def test_third_profile_without_code_changes(app, tmp_path, factory):
    app.config["PROCEDURE_PROFILE_DIRS"] = [str(_custom_dir(tmp_path))]
    assert "no-kommune" in profile_codes()
    profile = get_profile("no-kommune")
    assert profile.settings.min_negotiation_days == 10 and profile.settings.evaluation_due_months == 6  # defaults
    case = factory.case(profile="no-kommune", may_reduce_staff=True)
    assert (case.profile_code, case.profile_version) == ("no-kommune", "2025.1")
    from datetime import date

    from tracker.procedure import deadlines as dl

    facts = dl.Facts(settings=profile.settings, may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
                     first_meeting_on=date(2026, 3, 5))
    assert dl.earliest_first_meeting(facts) == date(2026, 3, 5)
    assert dl.earliest_decision(facts) == date(2026, 3, 15)


def test_every_problem_is_named_at_once(app):
    with pytest.raises(ProfileError) as info:
        validate_profile({"code": "ok", "version": "", "settings": {"nope": 1, "proposal_lead_days": -2}}, "x.json")
    message = str(info.value)
    assert "'version'" in message and "unknown setting 'nope'" in message and "'proposal_lead_days'" in message


def test_profile_is_frozen_and_settings_are_typed_and_a_mapping(app):
    import dataclasses

    profile = get_profile("se-mbl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.code = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.settings.proposal_lead_days = 3  # type: ignore[misc]
    settings = dict(profile.settings)
    assert settings["central_negotiation_window_days"] == 7 and set(settings) == set(SETTING_NAMES)
    assert profile.settings.get("no_such_setting") is None
    assert validate_profile({"code": "ok", "version": 3}).version == "3"
    assert validate_profile({"code": "ok", "version": "1", "name": "Namn"}).display_name("en") == "Namn"


def test_shipped_schema_defaults_match_the_dataclass():
    schema = profile_schema()
    rules = schema["properties"]["settings"]["properties"]
    assert set(rules) == set(SETTING_NAMES)
    defaults = ProfileSettings()
    assert {name: rule["default"] for name, rule in rules.items()} == dict(defaults)
    for name, rule in rules.items():
        assert rule["type"] == ("boolean" if isinstance(defaults[name], bool) else "integer")


def test_a_custom_directory_with_an_invalid_profile_is_refused(app, tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "typo.json").write_text(json.dumps({"code": "typo", "version": "1", "settings": {"min_negotiaton_days": 3}}))
    app.config["PROCEDURE_PROFILE_DIRS"] = [str(d)]
    with pytest.raises(ProfileError, match="unknown setting 'min_negotiaton_days'"):
        profile_codes()


def _rewrite(path, min_days: int) -> None:
    import os

    data = json.loads(path.read_text())
    data["settings"]["min_negotiation_days"] = min_days
    before = path.stat().st_mtime_ns
    path.write_text(json.dumps(data))
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))  # a new mtime, however coarse the clock


def test_a_changed_profile_file_counts_from_the_next_request(app, tmp_path):
    """Within one request the profile directories are looked at once (a page asks for the profile
    of every case it lists); the next request, and any call outside a request, sees the change."""
    directory = _custom_dir(tmp_path)
    app.config["PROCEDURE_PROFILE_DIRS"] = [str(directory)]
    path = directory / "no-kommune.json"
    with app.test_request_context("/"):
        assert get_profile("no-kommune").settings.min_negotiation_days == 10
        _rewrite(path, 12)
        assert get_profile("no-kommune").settings.min_negotiation_days == 10
    with app.test_request_context("/"):
        assert get_profile("no-kommune").settings.min_negotiation_days == 12
    _rewrite(path, 14)
    assert get_profile("no-kommune").settings.min_negotiation_days == 14
    with app.test_request_context("/"):
        assert get_profile("no-kommune").settings.min_negotiation_days == 14
        app.config["PROCEDURE_PROFILE_DIRS"] = []  # another setting: looked at again
        assert "no-kommune" not in profile_codes()
