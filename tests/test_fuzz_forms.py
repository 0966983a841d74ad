"""Fuzzing in CI (issue 15, build item 14): no input, however wrong, makes the app answer 5xx.

For every demo role: GET every page, parse each `<form method=post>` (action, fields) and post
random, huge, Unicode, null-byte and wrong-type values with the session's valid CSRF token; then
malformed requests (invalid UTF-8 in query strings, huge headers, wrong methods, out-of-range ids)
on every route. Bounded for CI: each form gets `EXAMPLES` derandomized Hypothesis examples (a
failure reproduces exactly), and forms with the same action and field names are fuzzed once per
role. An exception that escapes a view counts as a 500 (the test app propagates exceptions).
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.test_access_declared import DEMO_LOGINS, _routes, _url
from tracker.demo import DEMO_PASSWORD
from tracker.extensions import db

# CI's bound; FUZZ_EXAMPLES=50 for a longer hunt on a developer's machine.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
HUGE = "å" * 50_000  # 100 kB of UTF-8
HUGE_ID = 2**64
# Forms whose success ends the session under test (fuzzing them would only fuzz the login page).
SKIP_ACTIONS = {"/logout"}


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen (defaults, options)
    files: set[str] = field(default_factory=set)  # names of <input type=file>

    def key(self) -> tuple[str, tuple[str, ...]]:
        return re.sub(r"\d+", "N", self.action), tuple(sorted(self.fields))


class FormParser(HTMLParser):
    """The POST forms of a page: action and every named field with the values the page offers."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(urlsplit(urljoin(self.page_url, a.get("action") or self.page_url)).path)
                self.forms.append(self._form)
            return
        form = self._form
        name = a.get("name")
        if form is None or not name:
            return
        if tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))
        elif tag in ("input", "textarea", "button"):
            form.fields.setdefault(name, []).append(a.get("value", ""))
            if tag == "input" and a.get("type", "").lower() == "file":
                form.files.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def wild_values() -> st.SearchStrategy[str]:
    """Random, huge, Unicode, control-character and wrong-type values for one field."""
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s + "\x00" + s),
        st.just(HUGE),
        st.sampled_from(["", " ", "\x00", "-1", "0", str(HUGE_ID), "1e309", "NaN", "9999-12-31", "0001-01-01",
                         "2026-02-30", "99999-01-01", "T", "on", "[]", "{}", "<b>", "\ud800".encode(
                             "utf-8", "surrogatepass").decode("latin-1"), "１２", "٣"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


def upload() -> st.SearchStrategy[tuple[io.BytesIO, str]]:
    """A file field's value: random bytes (or a PDF header and junk) under a random name."""
    content = st.one_of(st.binary(max_size=2_000), st.binary(max_size=500).map(lambda b: b"%PDF-1.4\n" + b))
    name = st.one_of(st.text(max_size=30), st.sampled_from(["a.pdf", "../../etc/passwd", "x.pdf\x00.exe", ".pdf"]))
    return st.tuples(content.map(io.BytesIO), name)


def form_data(form: Form) -> st.SearchStrategy[dict[str, list]]:
    """A body for `form`: each field keeps a value the page offers, gets wild values, or is left out;
    the CSRF token (prefixed or not) is the page's own, so the post reaches the view."""
    per_field: dict[str, st.SearchStrategy] = {}
    for name, offered in form.fields.items():
        if name.endswith("csrf_token"):
            per_field[name] = st.just(offered[:1])
            continue
        keep = st.sampled_from(offered) if offered else st.just("")
        wild = st.one_of(keep.map(lambda v: [v]), wild_values().map(lambda v: [v]),
                         st.lists(wild_values(), min_size=0, max_size=3))
        per_field[name] = st.one_of(upload().map(lambda f: [f]), wild) if name in form.files else wild
    return st.fixed_dictionaries(per_field)


def _status(call, csrf_refused: list[int] | None = None) -> int:
    try:
        response = call()
    except Exception:  # noqa: BLE001 - an exception escaping a view is a 500 in production
        db.session.rollback()
        return 500
    if csrf_refused is not None and response.status_code == 400 and "säkerhetstoken" in response.get_data(as_text=True):
        csrf_refused.append(response.status_code)
    return response.status_code


def _logged_in(app, role):
    from tests.conftest import Browserless

    web = Browserless(app.test_client())
    assert web.login(DEMO_LOGINS[role], DEMO_PASSWORD).status_code == 302
    return web


def _pages(app) -> list[str]:
    return sorted({_url(rule) for rule in _routes(app) if "GET" in rule.methods and rule.endpoint != "auth.login"})


def _forms_of(web, pages: list[str]) -> list[Form]:
    forms: dict[tuple, Form] = {}
    for page in pages:
        response = web.client.get(page)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        parser = FormParser(page)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form.action not in SKIP_ACTIONS:
                forms.setdefault(form.key(), form)
    return list(forms.values())


@pytest.fixture
def demo(app):
    from tests.demo_support import demo_context

    return demo_context(app)


def _fuzz(web, form: Form, problems: list[str], csrf_refused: list[int]) -> None:
    """Post `EXAMPLES` Hypothesis bodies to one form; a 5xx goes into `problems`."""
    content_type = "multipart/form-data" if form.files else "application/x-www-form-urlencoded"

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=form_data(form))
    def post(body: dict[str, list]) -> None:
        status = _status(lambda: web.client.post(form.action, data=body, content_type=content_type), csrf_refused)
        if status >= 500:
            problems.append(f"POST {form.action} {sorted(body)} -> {status}")

    post()


@pytest.mark.parametrize("role", sorted(DEMO_LOGINS))
def test_random_form_input_never_answers_5xx(app, demo, role):
    web = _logged_in(app, role)
    forms = _forms_of(web, _pages(app))
    assert forms, f"{role} sees no form"
    problems: list[str] = []
    csrf_refused: list[int] = []

    for form in forms:
        _fuzz(web, form, problems, csrf_refused)
    assert len(csrf_refused) < len(forms), "the posts did not get past the CSRF check"
    assert not problems, "\n".join(problems)


def _int_args(rule) -> set[str]:
    return {name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)}


def _malformed_requests(app, web, token: str) -> list[str]:
    problems = []
    for rule in _routes(app):
        url = _url(rule)
        attempts = [
            ("GET", url + "?page=%ff%fe&q=%C0%AF&date_from=0001-01-01&date_to=9999-12-31", {}),
            ("GET", url + "?page=99999999999999999999999&limit=-1&per_page=0", {}),
            ("GET", url, {"headers": {"X-Fuzz": "a" * 100_000, "Accept-Language": "ö" * 5_000}}),
            # WSGI carries the raw query bytes as latin-1 text: these are invalid UTF-8.
            ("GET", url, {"environ_overrides": {"QUERY_STRING": "\xff\xfe=\xc3\x28&page=\x00"}}),
        ]
        attempts += [(method, url, {"data": {"csrf_token": token}})
                     for method in ("GET", "POST", "PUT", "PATCH", "DELETE") if method not in rule.methods]
        for method, target, kwargs in attempts:
            status = _status(lambda t=target, m=method, k=kwargs: web.client.open(t, method=m, **k))
            if status >= 500:
                problems.append(f"{method} {target[:120]} {sorted(kwargs)} -> {status}")
    return problems


def _out_of_range_ids(app, web, token: str) -> list[str]:
    """Every route with an <int:...> argument, each such argument beyond BIGINT: 404 (or refused before)."""
    problems = []
    for rule in _routes(app):
        for huge in (HUGE_ID, 10**20):
            url = rule.build({name: huge if name in _int_args(rule) else 1 for name in rule.arguments},
                             append_unknown=False)[1]
            if not _int_args(rule):
                continue
            for method in sorted(rule.methods & {"GET", "POST"}):
                status = _status(lambda u=url, m=method: web.client.open(u, method=m, data={"csrf_token": token}))
                if status not in (302, 403, 404):
                    problems.append(f"{method} {url} -> {status}")
    return problems


@pytest.mark.parametrize("role", ["anonymous", "hr_officer", "auditor", "admin"])
def test_malformed_requests_never_answer_5xx(app, demo, role):
    from tests.conftest import Browserless

    web = Browserless(app.test_client()) if role == "anonymous" else _logged_in(app, role)
    token = web.token("/login") if role == "anonymous" else web.token("/account")
    problems = _malformed_requests(app, web, token) + _out_of_range_ids(app, web, token)
    assert not problems, "\n".join(problems)


def test_nul_characters_never_reach_a_view(app):
    with app.test_request_context("/?q=a%00b", method="POST", data={"title": "Möte\x00 1"}):
        from flask import request

        assert request.args["q"] == "ab" and request.form["title"] == "Möte 1"


def test_raw_non_utf8_query_bytes_are_percent_encoded(app):
    from tracker.web.malformed import QueryStringGuard

    seen = {}
    guard = QueryStringGuard(lambda environ, start: seen.update(q=environ["QUERY_STRING"]) or [])
    guard({"QUERY_STRING": "a=\xff&b=\xc3\xb6&c=%41"}, None)
    assert seen["q"] == "a=%FF&b=%C3%B6&c=%41"
