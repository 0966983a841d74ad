"""Item 2 of issue 14: any end other than agreement opens the central-negotiation window (se-mbl)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.procedure.profiles import get_profile


@pytest.mark.parametrize("mode,window", [
    ("agreement", None),
    ("disagreement", date(2026, 3, 17)),
    ("written_notice", date(2026, 3, 17)),
])
def test_window_opens_for_every_end_but_agreement(mode, window):
    facts = dl.Facts(settings=get_profile("se-mbl").settings, negotiation_ended_on=date(2026, 3, 10), end_mode=mode)
    assert dl.central_window_ends(facts) == window
    got = {d.code: d for d in dl.compute(facts, date(2026, 3, 11))}
    assert (got["central_negotiation_window"].due if window else None) == window
    if window:
        assert got["central_negotiation_window"].basis


def test_fi_municipal_has_no_window_whatever_the_mode():
    for mode in ("disagreement", "written_notice"):
        facts = dl.Facts(settings=get_profile("fi-municipal").settings, negotiation_ended_on=date(2026, 3, 10),
                         end_mode=mode)
        assert dl.central_window_ends(facts) is None


@pytest.mark.parametrize("notice_by", ["employer", "personnel"])
def test_written_notice_records_its_author_and_lets_the_union_request(factory, notice_by):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    ended = datetime.now(UTC) - timedelta(hours=1)
    ps.end_negotiation(hr, case, end_mode="written_notice", ended_at=ended, notice_by=notice_by,
                       employer_position="Genomför", personnel_position="Emot")
    db.session.flush()
    assert ps.current_records(case)["closing"].content["notice_by"] == notice_by
    request = ps.request_central_negotiation(union, case, note="Vi begär central förhandling")
    assert request.timely and request.is_pending


def test_agreement_opens_no_window(factory):
    case = factory.case(profile="se-mbl")
    hr = case.responsible_hr
    union, safety = staff(factory, case)
    complete_early_information(case, hr)
    walk_to(case, hr, "closing", safety=safety, password=factory.password)
    ps.end_negotiation(hr, case, end_mode="agreement", ended_at=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(Conflict):
        ps.request_central_negotiation(union, case)
