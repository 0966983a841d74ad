import json

import pytest

from tracker.procedure.profiles import ProfileError, get_profile, load_profile_file, profile_codes, validate_profile


def test_shipped_profiles_load_with_versions(app):
    fi = get_profile("fi-municipal")
    se = get_profile("se-mbl")
    assert fi.version == "1" and fi.proposal_lead_days == 5 and fi.min_negotiation_days == 14
    assert fi.large_staff_extended_period_enabled is False
    assert se.central_negotiation_window_days == 7 and se.requires_risk_assessment_cosigned
    assert se.allows_urgent_decision and se.minutes_approved_by_both and se.evaluation_due_months == 6


@pytest.mark.parametrize("data,message", [
    ([], "JSON object"),
    ({"code": "X Y", "version": "1"}, "'code'"),
    ({"code": "ok", "version": ""}, "'version'"),
    ({"code": "ok", "version": "1", "settings": {"proposal_lead_dayz": 5}}, "unknown setting 'proposal_lead_dayz'"),
    ({"code": "ok", "version": "1", "settings": {"proposal_lead_days": -1}}, "whole number"),
    ({"code": "ok", "version": "1", "settings": {"allows_urgent_decision": "yes"}}, "true or false"),
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
    assert profile.min_negotiation_days == 10 and profile.evaluation_due_months == 6  # defaults fill in
    case = factory.case(profile="no-kommune", may_reduce_staff=True)
    assert (case.profile_code, case.profile_version) == ("no-kommune", "2025.1")
    from datetime import date

    from tracker.procedure import deadlines as dl

    facts = dl.Facts(settings=profile.settings, may_reduce_staff=True, proposal_delivered_on=date(2026, 3, 2),
                     first_meeting_on=date(2026, 3, 5))
    assert dl.earliest_first_meeting(facts) == date(2026, 3, 5)
    assert dl.earliest_decision(facts) == date(2026, 3, 15)
