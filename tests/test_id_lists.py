"""Id lists: `in_ids` in a statement built each time, and `ids_clause`/`ids_value` in one built once
per dialect, match the same rows on SQLite and PostgreSQL, for no id, one, several and repeated ids."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.cases.models import Case
from tracker.extensions import db
from tracker.id_lists import IDS, dialect_name, ids_clause, ids_value, in_ids


@pytest.fixture
def case_ids(factory) -> list[int]:
    hr = factory.user("hr_officer")
    return [factory.case(hr).id for _ in range(4)]


def test_a_statement_built_once_matches_what_in_ids_matches(case_ids):
    built_once = select(Case.id).where(ids_clause(Case.id, dialect_name())).order_by(Case.id)
    wanted_lists = [[], [case_ids[0]], case_ids[1:3], [case_ids[3], case_ids[3], case_ids[0]], case_ids + [10**9]]
    for wanted in wanted_lists:
        expected = sorted(set(wanted) & set(case_ids))
        assert list(db.session.execute(built_once, {IDS: ids_value(wanted)}).scalars()) == expected, wanted
        fresh = select(Case.id).where(in_ids(Case.id, wanted)).order_by(Case.id)
        assert list(db.session.execute(fresh).scalars()) == expected, wanted


def test_one_parameter_may_appear_twice_in_a_statement(case_ids):
    both = ids_clause(Case.id, dialect_name())
    inner = select(Case.id).where(both).scalar_subquery()
    statement = select(Case.id).where(ids_clause(Case.id, dialect_name()), Case.id == inner)
    rows = list(db.session.execute(statement, {IDS: ids_value([case_ids[2]])}).scalars())
    assert rows == [case_ids[2]]


def test_only_integers_go_into_the_parameter():
    with pytest.raises(ValueError):
        ids_value(["1}; DROP TABLE cases; --"])
