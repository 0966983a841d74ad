"""2. Queries per page: SQL statements the case list, case page and audit pages issue at a small and a
large number of rows (in-process, Flask test client, a before_cursor_execute listener).

Target: the same count at both sizes (no N+1). "Rows" means: cases for the case list; audit events,
documents and (up to 100) steering members for the case page; events for the audit pages.
"""
from __future__ import annotations

import re

from sqlalchemy import event

from bench import datagen, env, routes
from bench.result import Result
from tracker.extensions import db

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
PAGES = ("case list", "case page", "case audit page", "audit page", "dashboard")


def login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    token = match.group(1) or match.group(2)
    response = client.post("/login", data={"email": email, "password": datagen.BENCH_PASSWORD, "csrf_token": token})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login as {email} failed: HTTP {response.status_code}")


def counts_at(ctx, url: str, rows: int) -> tuple[dict[str, int | str], list[str]]:
    app = ctx.app(url)
    env.reset_schema(app)
    notes: list[str] = []
    with app.app_context():
        with db.engine.begin() as conn:
            people = datagen.make_people(conn, union=100, tag=f"-{rows}")
            # The subject case is the newest, so it is on the first page of the list at every size.
            others = datagen.make_cases(conn, rows - 1, hr_ids=people.hr[:1], start_number=1)
            rich = datagen.make_rich_case(conn, people, members=min(rows, 100), documents=rows, events=rows,
                                          number=rows)
            case_ids = [rich.case_id, *others]
            # Every case has the HR officer's colleague as a member, so the HR list runs its exists() path.
            for cid in case_ids[1:]:
                datagen.insert_rows(conn, "steering_members", [{
                    "case_id": cid, "user_id": people.union[0], "party": "personnel", "role": "member",
                    "units": [], "joined_at": datagen.BASE_TIME}])
            datagen.append_audit_events(conn, rows, case_ids=case_ids[1:] or [None], actor_ids=people.hr,
                                        actor_names=people.names)
        db.session.remove()

    counted = {"n": 0}
    seen: list[str] = []

    def count(conn, cursor, statement, *_args, **_kwargs) -> None:
        counted["n"] += 1
        seen.append(" ".join(statement.split()))

    out: dict[str, int | str] = {}
    statements: dict[str, list[str]] = {}
    with app.app_context():
        engine = db.engine
    # Requests run without an outer app context: Flask-Login caches the user in `g`, which an
    # outer context would share between requests (and hide the per-request user query).
    event.listen(engine, "before_cursor_execute", count)
    try:
        for who, pages in (("auditor", PAGES), ("union", ("case list (union member)",)), ("hr", ("dashboard (HR)",))):
            client = app.test_client()
            login(client, people.first_email(who))
            for page in pages:
                base = page.split(" (")[0]
                path = routes.find_path(app, base, rich.case_id)
                if path is None:
                    out[page] = "missing"
                    continue
                client.get(path)  # warm-up
                counted["n"] = 0
                seen.clear()
                response = client.get(path)
                if response.status_code != 200:
                    out[page] = f"HTTP {response.status_code}"
                    notes.append(f"{page} at {rows} rows: HTTP {response.status_code}")
                    continue
                out[page] = counted["n"]
                statements[page] = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()
    return out, statements, notes


def _shape(statement: str) -> str:
    """A statement without its literal IN-lists and numbers, for comparing sizes."""
    return re.sub(r"\?(, \?)*|\d+", "#", statement)[:140]


def run(ctx, result: Result) -> None:
    small, large = ctx.sizes["queries_small"], ctx.sizes["queries_large"]
    url = ctx.sqlite_url
    low, st_low, notes_low = counts_at(ctx, url, small)
    high, st_high, notes_high = counts_at(ctx, url, large)
    for note in notes_low + notes_high:
        result.note(note)
    for page in low:
        a, b = low[page], high.get(page)
        if isinstance(a, int) and isinstance(b, int):
            result.add(f"{page}: statements at {small:,} / {large:,} rows", f"{a} / {b}", "queries",
                       target="equal", meets=a == b)
            if a != b:
                from collections import Counter

                lo, hi = Counter(map(_shape, st_low.get(page, []))), Counter(map(_shape, st_high.get(page, [])))
                for shape in sorted(set(lo) | set(hi)):
                    if lo[shape] != hi[shape]:
                        result.note(f"{page}: {lo[shape]}x at {small:,}, {hi[shape]}x at {large:,}: {shape}")
        else:
            result.add(f"{page}: statements", f"{a} / {b}", "", target="equal")
    result.details["counts"] = {str(small): low, str(large): high}
    result.details["statements"] = {str(small): st_low, str(large): st_high}
