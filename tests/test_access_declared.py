"""Every route declares its access rule; state changes need POST with a CSRF token; GET changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.audit_guard import UNAUDITED_TABLES
from tracker.auth.permissions import Permission
from tracker.demo import DEMO_PASSWORD

STATE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DEMO_LOGINS = {
    "hr_officer": "hr@example.org", "decision_maker": "decision@example.org", "union_rep": "union@example.org",
    "safety_rep": "safety@example.org", "auditor": "auditor@example.org", "admin": "admin@example.org",
}


def _routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule) -> str:
    """A concrete URL for the rule, every argument set to 1 (demo data has an id 1 of everything)."""
    return rule.build({name: 1 for name in rule.arguments}, append_unknown=False)[1]


def test_every_route_declares_an_access_rule(app):
    missing = [f"{rule.rule} -> {rule.endpoint}" for rule in _routes(app)
               if not getattr(app.view_functions[rule.endpoint], "access_rule", None)]
    assert not missing, "routes without @public / @authenticated / @requires(...):\n" + "\n".join(missing)


def test_access_rules_name_known_permissions(app):
    known = {str(p) for p in Permission}
    for rule in _routes(app):
        declared = app.view_functions[rule.endpoint].access_rule
        assert declared in ("public", "authenticated") or declared.startswith("requires:"), (rule.rule, declared)
        if declared.startswith("requires:"):
            names = [n for n in declared.removeprefix("requires:").split(",") if n]
            assert names and set(names) <= known, (rule.rule, declared)


@pytest.mark.own_app
def test_the_check_fails_on_an_undeclared_route(app):
    @app.get("/__test__/undeclared")
    def undeclared():
        return "oops"

    with pytest.raises(AssertionError, match="__test__/undeclared"):
        test_every_route_declares_an_access_rule(app)


def test_public_routes_are_few_and_known(app):
    public = sorted(rule.endpoint for rule in _routes(app)
                    if app.view_functions[rule.endpoint].access_rule == "public")
    assert set(public) <= {"auth.login", "auth.language", "auth.switch_language", "home.root", "healthz"}, public


def test_state_changing_routes_refuse_requests_without_csrf_token(app, client):
    routes = [rule for rule in _routes(app) if rule.methods & STATE_METHODS]
    assert routes, "no state-changing routes found"
    unprotected = []
    for rule in routes:
        for method in sorted(rule.methods & STATE_METHODS):
            response = client.open(_url(rule), method=method, data={})
            if response.status_code != 400 or "säkerhetstoken" not in response.get_data(as_text=True):
                unprotected.append(f"{method} {rule.rule} -> {response.status_code}")
    assert not unprotected, "state-changing routes accepted a request without a CSRF token:\n" + "\n".join(unprotected)


def test_logout_and_language_do_not_accept_get(client):
    assert client.get("/logout").status_code == 405
    assert client.get("/language").status_code == 405


@pytest.fixture
def demo(app):
    from tests.demo_support import demo_context

    return demo_context(app)


class WriteRecorder:
    """The tables a request flushed changes to (bookkeeping tables and audit events excepted)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, session: Session, flush_context, instances) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(obj, "__tablename__", type(obj).__name__)
            if table in UNAUDITED_TABLES:
                continue
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            self.tables.add(table)


@pytest.mark.parametrize("role", sorted(DEMO_LOGINS))
def test_get_requests_change_no_state_and_never_fail(app, demo, role):
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    assert web.login(DEMO_LOGINS[role], DEMO_PASSWORD).status_code == 302
    problems = []
    for rule in _routes(app):
        if "GET" not in rule.methods or rule.endpoint in ("home.root",):
            continue
        recorder = WriteRecorder()
        event.listen(Session, "before_flush", recorder)
        try:
            response = web.client.get(_url(rule))
        finally:
            event.remove(Session, "before_flush", recorder)
        if response.status_code >= 500:
            problems.append(f"GET {rule.rule} -> {response.status_code}")
        if recorder.tables:
            problems.append(f"GET {rule.rule} changed {sorted(recorder.tables)}")
        if role == "admin" and "case_id" in rule.arguments and response.status_code not in (403, 404):
            problems.append(f"admin reached case content: GET {rule.rule} -> {response.status_code}")
    assert not problems, "\n".join(problems)
