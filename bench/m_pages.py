"""1. Pages under gunicorn (2 workers), loaded from a second process on loopback, with no page cache.

Reported: the **realistic mode** (bench/mix.py): four signed-in users of different roles at once,
each cycling through its own pages of the kind measured (the case pages of several cases, its case
list, the audit pages it may see, its dashboard), one request in ten a write by another user.
The same mix against the one-query route is the baseline. Targets: the case page >= 25 % of the
one-query route's requests/s, the case list, audit pages and dashboard >= 20 %.

Also printed, without targets: the **single-URL mode** (one URL repeated in one session, as before),
next to the hello-world and one-query routes (bench/app_wrapper.py).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import datagen, env, loadgen, mix, routes
from bench.result import Result
from tracker.extensions import db

HOST = "127.0.0.1"
TARGETS = {"case page": 0.25, "case list": 0.20, "audit pages": 0.20, "dashboard": 0.20}
COMMENT_STAGE = "evaluation"  # the rich cases' current stage: open for comments and content


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class PageData:
    app: object
    case_ids: list[int]
    emails: dict[str, str]  # who -> e-mail


def build_data(ctx, url: str) -> PageData:
    """Several rich cases (steering group, seven stages, documents, events) among many plain ones."""
    sizes = ctx.sizes
    app = ctx.app(url)
    env.reset_schema(app)
    rich_count = max(1, sizes["page_rich_cases"])
    with app.app_context():
        with db.engine.begin() as conn:
            people = datagen.make_people(conn, hr=2, union=max(12, sizes["page_members"]))
            case_ids = [
                datagen.make_rich_case(conn, people, members=sizes["page_members"],
                                       documents=sizes["page_documents"], events=sizes["page_events"],
                                       number=n).case_id
                for n in range(1, rich_count + 1)]
            datagen.make_cases(conn, max(0, sizes["page_cases"] - rich_count), hr_ids=people.hr,
                               start_number=rich_count + 1)
            # Activity on the other cases, so the global audit page is not just the rich cases.
            datagen.append_audit_events(conn, 1000, case_ids=list(range(rich_count + 1, 50)), actor_ids=people.hr,
                                        actor_names=people.names)
            datagen.analyze(conn)
        db.session.remove()
        db.engine.dispose()

    def email(role: str, index: int) -> str:
        return people.emails[getattr(people, role)[index]]

    # Readers and writers are different people. The rich cases' steering group holds hr 1-2, the
    # decision maker and union 1-9 (datagen.make_members); hr 1 is their responsible HR officer.
    emails = {
        "auditor": email("auditor", 0), "hr": email("hr", 1), "union": email("union", 0),
        "decision": email("decision", 0),
        "writer hr": email("hr", 0), "writer union": email("union", 2), "writer reader": email("union", 1),
    }
    return PageData(app, case_ids, emails)


def start_gunicorn(url: str, run_id: int, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    root = str(env.BENCH_DIR.parent)
    environ = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_RUN_ID": str(run_id),
               "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [gunicorn, "-w", "2", "-b", f"{HOST}:{port}", "--log-level", "warning", "bench.app_wrapper:app"],
        cwd=root, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    # The orchestrator ends this process group if this worker is killed on a timeout.
    (env.DATA_DIR / f"gunicorn_{run_id}.pgid").write_text(str(proc.pid))
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
        try:
            status, _ = loadgen.fetch(HOST, port, "/healthz", "")
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(proc: subprocess.Popen) -> None:
    for pidfile in env.DATA_DIR.glob("gunicorn_*.pgid"):
        if pidfile.read_text().strip() == str(proc.pid):
            pidfile.unlink(missing_ok=True)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- the realistic mode -----------------------------------------------------------------------

READER_ROLES = {"hr": "HR officer", "union": "union rep", "auditor": "auditor", "decision": "decision maker"}


def phase_paths(app, case_ids: list[int]) -> dict[str, dict[str, list[str]]]:
    """For each measured kind of page, the paths each reader asks for (before the access check)."""
    case_pages = [routes.find_path(app, "case page", c) for c in case_ids]
    case_audits = [routes.find_path(app, "case audit page", c) for c in case_ids]
    audit = routes.find_path(app, "audit page")
    case_list = routes.find_path(app, "case list")
    dashboard = routes.find_path(app, "dashboard")
    everyone = list(READER_ROLES)
    phases: dict[str, dict[str, list[str]]] = {
        "one-query route": {who: ["/bench/one-query"] for who in everyone},
        "case page": {who: [p for p in case_pages if p] for who in everyone},
        "case list": {who: [case_list] if case_list else [] for who in everyone},
        "audit pages": {who: ([audit] if audit and who == "auditor" else []) + [p for p in case_audits if p]
                        for who in everyone},
        "dashboard": {who: [dashboard] if dashboard else [] for who in everyone},
    }
    return phases


def planned_writes(app, data: PageData, cookies: dict[str, str]) -> list[mix.Write]:
    """A comment, a stage's content saved and notifications marked read, spread over the cases
    (tokens are filled in by with_tokens)."""
    writes: list[mix.Write] = []
    for case_id in data.case_ids:
        comment = routes.find_write(app, "comment", case_id, COMMENT_STAGE)
        if comment:
            writes.append(mix.Write("comment", comment, cookies["writer union"], "",
                                    {f"comment-{COMMENT_STAGE}-body": "Bänkkommentar nummer {n} om förslaget."},
                                    csrf_prefix=f"comment-{COMMENT_STAGE}"))
        content = routes.find_write(app, "stage content", case_id, COMMENT_STAGE)
        if content:
            writes.append(mix.Write("stage content", content, cookies["writer hr"], "", {
                f"{COMMENT_STAGE}-plan": "Utvärderingsplan, version {n}.",
                f"{COMMENT_STAGE}-indicators": "Sjukfrånvaro, personalomsättning ({n}).",
                f"{COMMENT_STAGE}-report": "Rapport {n}."}, csrf_prefix=COMMENT_STAGE))
    read_all = routes.find_write(app, "notifications read")
    if read_all:
        writes.append(mix.Write("notifications read", read_all, cookies["writer reader"], "", {}))
    return writes


def with_tokens(port: int, writes: list[mix.Write], token_page: str) -> list[mix.Write]:
    """Each write with its writer's CSRF token (one per signed-in session)."""
    tokens: dict[str, str] = {}
    out = []
    for write in writes:
        if write.cookie not in tokens:
            tokens[write.cookie] = mix.csrf_token(HOST, port, token_page, write.cookie)
        out.append(mix.Write(write.kind, write.path, write.cookie, tokens[write.cookie], write.fields,
                             write.csrf_prefix))
    return out


def accepted(port: int, writes: list[mix.Write], result: Result) -> list[mix.Write]:
    """The writes the app accepts (each tried once); the others are named in the notes."""
    ok: list[mix.Write] = []
    refused: set[str] = set()
    for write in writes:
        status = mix.try_write(HOST, port, write)
        if mix.ok_write(status):
            ok.append(write)
        elif write.kind not in refused:
            refused.add(write.kind)
            result.note(f"realistic mode: write '{write.kind}' {write.path} answered HTTP {status}; left out")
    return ok


def readers_for(port: int, phase: str, paths: dict[str, list[str]], cookies: dict[str, str],
                result: Result) -> list[mix.Reader]:
    """The readers of one phase with the paths they may see (HTTP 200), warmed up on both workers."""
    readers = []
    for who, candidates in paths.items():
        visible = []
        for path in candidates:
            status = 0
            for _ in range(3):  # warm both workers (templates compile on first use)
                status, _body = loadgen.fetch(HOST, port, path, cookies[who])
            if status == 200:
                visible.append(path)
        if len(visible) < len(candidates):
            result.note(f"realistic {phase}: {READER_ROLES[who]} sees {len(visible)} of {len(candidates)} pages")
        if visible:
            readers.append(mix.Reader(READER_ROLES[who], cookies[who], tuple(visible)))
    return readers


def run_realistic(ctx, port: int, data: PageData, cookies: dict[str, str], result: Result) -> None:
    sizes = ctx.sizes
    app = data.app
    token_page = routes.find_path(app, "case page", data.case_ids[0]) or "/"
    writes = accepted(port, with_tokens(port, planned_writes(app, data, cookies), token_page), result)
    if not writes:
        result.add("realistic mode", "no write accepted", "", target="see notes")
        return
    phases = phase_paths(app, data.case_ids)
    readers = {phase: readers_for(port, phase, paths, cookies, result) for phase, paths in phases.items()}
    best: dict[str, mix.MixLoad] = {}
    # Rounds interleave the kinds, so the data the writes add weighs on all of them alike.
    for _round in range(max(1, sizes["mix_rounds"])):
        for phase, phase_readers in readers.items():
            if not phase_readers:
                continue
            load = mix.run_mix(HOST, port, phase_readers, writes, sizes["load_seconds"])
            if phase not in best or load.read_rps > best[phase].read_rps:
                best[phase] = load
    report_realistic(best, readers, result)


def report_realistic(best: dict[str, mix.MixLoad], readers: dict[str, list[mix.Reader]], result: Result) -> None:
    baseline = best.get("one-query route")
    base_rps = baseline.read_rps if baseline else None
    for phase in ("one-query route", *TARGETS):
        load = best.get(phase)
        if load is None:
            result.add(f"realistic: {phase} req/s", "missing", "", target="no such page (or none visible)")
            continue
        target = TARGETS.get(phase)
        is_base = phase == "one-query route"
        result.add(f"realistic: {phase} req/s", load.read_rps, "req/s",
                   baseline=None if is_base else base_rps, baseline_name="" if is_base else "one-query, same mix",
                   target=f">= {target:.0%} of one-query" if target else "",
                   meets=(load.read_rps >= target * base_rps) if target and base_rps else None)
        result.add(f"realistic: {phase} p50/p95", f"{load.read_p50_ms:.1f} / {load.read_p95_ms:.1f}", "ms")
        # The app's own time per page (gunicorn's queue excluded): the ratio is the one-query route's
        # time over the page's, the share of its rate a page would reach if the writes took no time.
        base_ms = baseline.read_server_ms if baseline else None
        result.add(f"realistic: {phase} app time per page", load.read_server_ms, "ms",
                   baseline=None if is_base else base_ms, baseline_name="" if is_base else "one-query",
                   ratio=(base_ms / load.read_server_ms) if base_ms and load.read_server_ms and not is_base else None)
        if load.bad_reads or load.bad_writes or load.errors:
            result.note(f"realistic {phase}: {load.bad_reads} bad reads, {load.bad_writes} refused writes, "
                        f"{load.errors} socket errors")
        result.details[f"realistic: {phase}"] = {
            **load.__dict__, "readers": {r.role: list(r.paths) for r in readers.get(phase, [])}}
    loads = list(best.values())
    if loads:
        total_writes = sum(load.writes for load in loads)
        total_seconds = sum(load.seconds for load in loads)
        kinds: dict[str, int] = {}
        for load in loads:
            for kind, count in load.writes_by_kind.items():
                kinds[kind] = kinds.get(kind, 0) + count
        result.add("realistic: writes during the reported runs", total_writes / total_seconds if total_seconds else 0,
                   "writes/s")
        write_ms = [load.write_server_ms for load in loads if load.write_server_ms == load.write_server_ms]
        if write_ms:
            result.add("realistic: app time per write (mean over the kinds)", sum(write_ms) / len(write_ms), "ms")
        result.note("realistic mode: " + ", ".join(f"{READER_ROLES[k]}" for k in READER_ROLES)
                    + f" at once, one connection each; every {mix.WRITE_EVERY}th request a write by another user ("
                    + ", ".join(f"{kind} x{count}" for kind, count in sorted(kinds.items())) + "); best of "
                    "the rounds per kind of page")


# --- the single-URL mode ----------------------------------------------------------------------

def run_single_url(ctx, port: int, data: PageData, cookies: dict[str, str], result: Result) -> None:
    """One URL repeated by one session per target (how this benchmark measured before)."""
    app = data.app
    case_id = data.case_ids[0]
    targets: list[tuple[str, str | None, str]] = [
        ("hello-world route", "/bench/hello", "auditor"),
        ("one-query route", "/bench/one-query", "auditor"),
        ("case page", routes.find_path(app, "case page", case_id), "auditor"),
        ("case list", routes.find_path(app, "case list"), "auditor"),
        ("case list (HR)", routes.find_path(app, "case list"), "hr"),
        ("audit page", routes.find_path(app, "audit page"), "auditor"),
        ("case audit page", routes.find_path(app, "case audit page", case_id), "auditor"),
        ("dashboard (HR)", routes.find_path(app, "dashboard"), "hr"),
    ]
    sizes = ctx.sizes
    one_query_rps = None
    for label, path, who in targets:
        name = f"single URL: {label}"
        if path is None:
            result.add(name, "missing", "", target="route not there yet")
            continue
        status = body = None
        for _ in range(3):  # warm both workers (templates compile on first use)
            status, body = loadgen.fetch(HOST, port, path, cookies[who])
        if status != 200:
            result.add(name, f"HTTP {status}", "", target=path)
            result.note(f"{name} {path} answered HTTP {status}: {(body or b'')[:200]!r}")
            continue
        figures = loadgen.load(HOST, port, path, cookies[who], sizes["load_seconds"], sizes["load_connections"])
        if figures.non2xx or figures.errors:
            result.note(f"{name}: {figures.non2xx} non-2xx answers, {figures.errors} socket errors")
        is_base = label == "one-query route"
        if is_base:
            one_query_rps = figures.rps
        result.add(f"{name} req/s", figures.rps, "req/s", baseline=None if is_base else one_query_rps,
                   baseline_name="one-query" if one_query_rps and not is_base else "")
        result.details[name] = {"path": path, "as": who, **figures.__dict__, "bytes": len(body or b"")}
    result.note(f"single URL: {sizes['load_seconds']} s per target, {sizes['load_connections']} connections, "
                f"{'wrk' if loadgen.shutil.which('wrk') else 'python client'}; no targets (one URL in one "
                "session is not how the app is used)")


def run(ctx, result: Result) -> None:
    url = ctx.pg_url or ctx.sqlite_url
    if not ctx.pg_url:
        result.note("PostgreSQL not available: pages served from SQLite")
    data = build_data(ctx, url)
    sizes = ctx.sizes
    result.details["data"] = {"rich_cases": len(data.case_ids), "case_members": sizes["page_members"],
                              "case_documents": sizes["page_documents"], "case_events": sizes["page_events"],
                              "cases": sizes["page_cases"]}
    port = free_port()
    proc = start_gunicorn(url, ctx.run_id, port)
    try:
        cookies = {who: loadgen.login(HOST, port, email, datagen.BENCH_PASSWORD) for who, email in data.emails.items()}
        run_realistic(ctx, port, data, cookies, result)
        if sizes["page_single_url"]:
            run_single_url(ctx, port, data, cookies, result)
        result.note(f"gunicorn 2 sync workers, no page cache (CASE_PAGE_CACHE_SIZE=0); {sizes['load_seconds']} s "
                    f"per run; load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        stop(proc)
