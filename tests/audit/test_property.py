"""Property test: a random chain, one random mutation; the verifier names the right place."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit import helpers as h
from tracker.audit.verify import verify_chain
from tracker.extensions import db

MUTATIONS = ("modify", "delete", "swap", "insert", "rewrite", "truncate", "signature")


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=3, max_value=10))
    k = draw(st.integers(min_value=1, max_value=n))  # an earlier checkpoint; another one at n
    mutation = draw(st.sampled_from(MUTATIONS))
    upper = n - 1 if mutation in ("swap", "truncate") else n
    at = draw(st.integers(min_value=1 if mutation != "truncate" else 0, max_value=upper))
    return n, k, mutation, at


def _expected(n: int, k: int, mutation: str, at: int) -> tuple[int, str]:
    if mutation == "modify":
        return at, "modified"
    if mutation == "delete":
        return (at, "deleted") if at < n else (n, "truncated")
    if mutation == "swap":
        return at, "reordered"
    if mutation == "insert":
        return at, "inserted"
    if mutation == "rewrite":
        return at, "rewritten"  # the stored tree still matches the checkpoint: the exact event
    if mutation == "truncate":
        return at + 1, "truncated"
    return k, "bad_signature"


@settings(max_examples=14, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_random_mutation_is_located(app, scenario):
    n, k, mutation, at = scenario
    h.clear_trail()
    h.build_chain(k)
    h.checkpoint()
    if n > k:
        h.build_chain(n - k, start=k + 1)
    h.checkpoint()
    assert verify_chain().ok
    {
        "modify": lambda: h.edit_payload(at),
        "delete": lambda: h.delete_rows(at),
        "swap": lambda: h.swap(at),
        "insert": lambda: h.insert_forged(at),
        "rewrite": lambda: h.rewrite_from(at),
        "truncate": lambda: h.delete_after(at),
        "signature": lambda: h.forge_checkpoint_signature(k),
    }[mutation]()
    db.session.close()
    result = verify_chain()
    assert not result.ok
    assert (result.first_bad_seq, result.kind) == _expected(n, k, mutation, at), (scenario, result.message)
    if mutation == "rewrite":
        assert result.suspect_range[0] <= at <= result.suspect_range[1]
