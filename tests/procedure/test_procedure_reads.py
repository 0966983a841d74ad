"""The lists, the dashboard and the to-do list read the procedure of many cases at once
(`procedure_reads`): the deadline facts and whether a decision may be registered come out as from
each case's own records, at every point of the procedure."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.procedure.helpers import complete_early_information, staff, walk_to
from tracker.procedure import services as ps
from tracker.procedure.enums import Stage
from tracker.procedure.queries import procedure_reads
from tracker.procedure.todo import decision_possible


def _as_one_by_one(cases) -> None:
    reads = procedure_reads([*cases, cases[0]])  # a case named twice is read once
    day = ps.today()
    assert set(reads.facts) == {c.id for c in cases}
    for case in cases:
        records = ps.current_records(case)
        assert reads.facts[case.id] == ps.facts_for(case, records)
        assert decision_possible(case, reads.records[case.id], reads.facts[case.id], day) \
            == decision_possible(case, records, ps.facts_for(case, records), day)


def test_many_cases_read_at_once_give_each_case_its_own_facts(factory):
    hr = factory.user("hr_officer")
    fresh = factory.case(hr, profile="se-mbl")
    informed = factory.case(hr, profile="fi-municipal", may_reduce_staff=True, staff_affected=8)
    staff(factory, informed)
    complete_early_information(informed, hr, proposal_at=datetime.now(UTC) - timedelta(days=1))
    closed = factory.case(hr, profile="se-mbl")
    union, safety = staff(factory, closed)
    complete_early_information(closed, hr)
    walk_to(closed, hr, "decision", safety=safety, password=factory.password, end_mode="disagreement")
    _as_one_by_one([fresh, informed, closed])
    ps.request_central_negotiation(union, closed, note="Vi begär central förhandling")
    _as_one_by_one([fresh, informed, closed])
    # A round still pending with no date carries nothing the facts read: it is not read at all.
    assert procedure_reads([fresh]).records[fresh.id] == {}
    assert Stage.CLOSING in procedure_reads([closed]).records[closed.id]
