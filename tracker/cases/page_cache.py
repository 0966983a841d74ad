"""A small per-process LRU of the rendered main content of the case page.

Rendering the case page costs ~20 ms of Jinja (many panels). Most GETs of a case page see exactly
the same content as the previous one, so the `content` and `title` blocks of cases/detail.html are
kept here, keyed by everything they depend on. The page header (user name, notifications count,
flashed messages, nav) is outside that part: on a content hit it is rendered by a small shell
template that extends base.html. The whole page is then kept too, under the content's key plus the
request path and the header's own values (`templating.header_context()`: the unread notifications),
so the next identical request renders no template at all; pages with flashed messages are neither
served from nor stored as whole pages.

Why the key is a sound invalidation signal
------------------------------------------
Every state change in Samverkan writes exactly one audit event in the same transaction (a test guard,
tests/audit_guard.py, fails any commit that changed a model without one). Audit events get a
strictly increasing, gap-free `seq`, allocated under the chain-head lock and so committed in order.
Hence the global head `max(audit_events.seq)` changes whenever anything the page could show has
changed: the case, its stages, meetings, documents, members, and also users and role grants (whose
events have no case_id). We use the global head (one backward index probe on the unique `seq`
index) rather than the per-case head: it is as cheap, and correct even for changes recorded
against another case or against no case. The head is read in the same statement as the case row
and before the rest of the page's data, so a page rendered during a concurrent commit can only be
stored under an older head, which no later request will ask for. (The signed-in user row is loaded before the head, at request start; their
roles are in the key, so only a rename committed in that instant could linger, until the next event.)

The tables the audit guard whitelists as bookkeeping do not invalidate by themselves; of those, only
`audit_verifications` is shown in the content (the verification badge), so its latest id is part of
the key. Notifications appear only in the header, which is never cached.

The rest of the key covers what is not stored in the database: the user and their roles, the
locale, the organisation-local date (deadlines and secrecy depend on "today"), the session's raw
CSRF token (the forms embed a token derived from it) and the query string.

Access checks run before the lookup (the view loads the case through the visibility policy first),
responses with form errors never go through here (they are rendered by the procedure views), and
nothing is stored while flashed messages are pending.

`CASE_PAGE_CACHE_SIZE` (entries per process) sets the size; 0 disables the cache.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable

from flask import current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload

from tracker.errors import NotFound
from tracker.extensions import db

DEFAULT_SIZE = 256
_STATEMENT: dict[str, Any] = {}
_EXTENSION = "case_page_cache"

# Renders the full page on a miss and hands the two blocks to `page_stash`.
_CAPTURE = (
    '{% extends "cases/detail.html" %}'
    "{% block title %}{% set c %}{{ super() }}{% endset %}{{ page_stash('title', c) }}{% endblock %}"
    "{% block content %}{% set c %}{{ super() }}{% endset %}{{ page_stash('content', c) }}{% endblock %}"
)
# Renders the header fresh around cached blocks on a hit.
_SHELL = (
    '{% extends "base.html" %}'
    "{% block title %}{{ page_title }}{% endblock %}"
    "{% block content %}{{ page_content }}{% endblock %}"
)


class PageCache:
    """A thread-safe LRU of rendered case page parts and whole pages."""

    def __init__(self, size: int) -> None:
        self.size = size
        # Content entries: key -> (title, content); whole pages: ("page", key, ...) -> html.
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, *, count_miss: bool = True) -> Any:
        """The entry under `key`, or None. `hits`/`misses` count whether the content had to be rendered:
        a whole-page lookup that falls through to the content entry is not a miss by itself."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                if count_miss:
                    self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def get_cache() -> PageCache | None:
    """This app's cache (one per app per process), or None when disabled."""
    app = current_app._get_current_object()
    size = int(app.config.get("CASE_PAGE_CACHE_SIZE", DEFAULT_SIZE) or 0)
    if size <= 0:
        return None
    cache = app.extensions.get(_EXTENSION)
    if cache is None or cache.size != size:
        cache = app.extensions[_EXTENSION] = PageCache(size)
    return cache


def _case_and_heads(case_id: int) -> tuple[Any, tuple[int | None, int | None]]:
    """The case row with the audit chain head and the latest verification run, in one statement.

    One statement sees one snapshot, so the case is exactly as new as the head. Relationships are
    left to lazy loading: a hit needs only the row (for the access check); a miss loads the rest.
    """
    from tracker.audit.models import AuditEvent, AuditVerification
    from tracker.cases.models import Case

    statement = _STATEMENT.get("case_and_heads")
    if statement is None:
        # Built once: constructing it (subqueries, loader options) cost as much as running it.
        statement = _STATEMENT["case_and_heads"] = (
            select(Case, select(func.max(AuditEvent.seq)).scalar_subquery(),
                   select(func.max(AuditVerification.id)).scalar_subquery())
            .where(Case.id == bindparam("case_id")).options(lazyload("*"))
        )
    row = db.session.execute(statement, {"case_id": case_id}).first()
    if row is None:
        return None, (None, None)
    return row[0], (row[1], row[2])


def key_for(case_id: int, user: Any, heads: tuple[int | None, int | None]) -> tuple:
    """Everything the cached blocks depend on (`heads` from `_case_and_heads()`)."""
    from tracker.procedure.services import today

    generate_csrf()  # makes sure the session holds its raw token before we read it
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    # Embedded tokens carry their signing time; with a time limit, renew them at half of it.
    token_epoch = int(time.time() // max(1, int(limit) // 2)) if limit else 0
    return (
        case_id, user.id, tuple(sorted(str(r) for r in user.roles)), str(get_locale()), today(),
        session.get(field), token_epoch, request.query_string, *heads,
    )


def _template(name: str, source: str):
    app = current_app._get_current_object()
    templates = app.extensions.setdefault("case_page_templates", {})
    template = templates.get(name)
    if template is None:
        # The string templates never change; the files they extend reload as usual.
        template = templates[name] = app.jinja_env.from_string(source)
    return template


def _render(template, context: dict[str, Any]) -> str:
    # What flask.render_template does, for a template object compiled from a string.
    app = current_app._get_current_object()
    app.update_template_context(context)
    return template.render(context)


def render(case_id: int, user: Any, *, may_view: Callable[[Any], bool], load_case: Callable[[], Any],
           build_context: Callable[[Any], dict[str, Any]]) -> str:
    """The case page, from the cache when the key matches.

    The access check `may_view(case)` runs on every request, before the lookup (NotFound when it
    fails or the case does not exist); `build_context(case)` runs only on a miss. With the cache
    disabled, `load_case()` (the usual policy-checked load) is used instead.
    """
    cache = get_cache()
    if cache is None:
        from flask import render_template

        return render_template("cases/detail.html", **build_context(load_case()))
    case, heads = _case_and_heads(case_id)
    if case is None or not may_view(case):
        raise NotFound("case not found")
    key = key_for(case.id, user, heads)
    flashes_pending = "_flashes" in session  # rendering consumes them
    page_key = None
    if not flashes_pending:
        # The whole page: the content's key plus everything the header shows.
        from tracker.templating import header_context

        page_key = ("page", key, request.path, tuple(sorted(header_context().items())))
        page = cache.get(page_key, count_miss=False)
        if page is not None:
            return page
    cached = cache.get(key)
    if cached is not None:
        title, content = cached
        html = _render(_template("shell", _SHELL), {"page_title": title, "page_content": content})
        if page_key is not None:
            cache.put(page_key, html)
        return html
    stash: dict[str, Markup] = {}

    def page_stash(name: str, value: Markup) -> Markup:
        stash[name] = Markup(value)
        return value

    context = build_context(case)
    context["page_stash"] = page_stash
    html = _render(_template("capture", _CAPTURE), context)
    if not flashes_pending and "title" in stash and "content" in stash:
        cache.put(key, (stash["title"], stash["content"]))
    return html
