"""1. Pages under gunicorn (2 workers), loaded from a second process on loopback.

Same-run baselines: a hello-world route and a one-query route of the same app (bench/app_wrapper.py).
Target: the case page reaches >= 40 % of the one-query route's requests/s.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import datagen, env, loadgen, routes
from bench.result import Result
from tracker.extensions import db

HOST = "127.0.0.1"
TARGET_CASE_PAGE = 0.40


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_data(ctx, url: str) -> dict:
    sizes = ctx.sizes
    app = ctx.app(url)
    env.reset_schema(app)
    with app.app_context():
        with db.engine.begin() as conn:
            people = datagen.make_people(conn, union=max(12, sizes["page_members"]))
            rich = datagen.make_rich_case(conn, people, members=sizes["page_members"],
                                          documents=sizes["page_documents"], events=sizes["page_events"],
                                          number=1)
            datagen.make_cases(conn, sizes["page_cases"] - 1, hr_ids=people.hr, start_number=2)
            # Activity on the other cases, so the global audit page is not just the one case.
            datagen.append_audit_events(conn, 1000, case_ids=list(range(2, 50)), actor_ids=people.hr,
                                        actor_names=people.names)
            datagen.analyze(conn)
        db.session.remove()
        db.engine.dispose()
    return {"case_id": rich.case_id, "auditor": people.first_email("auditor"), "hr": people.first_email("hr"),
            "app": app}


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
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read()[-2000:]}")
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


def run(ctx, result: Result) -> None:
    url = ctx.pg_url or ctx.sqlite_url
    if not ctx.pg_url:
        result.note("PostgreSQL not available: pages served from SQLite")
    data = build_data(ctx, url)
    app = data["app"]
    case_id = data["case_id"]
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
    result.details["data"] = {"case_members": sizes["page_members"], "case_documents": sizes["page_documents"],
                              "case_events": sizes["page_events"], "cases": sizes["page_cases"]}
    port = free_port()
    proc = start_gunicorn(url, ctx.run_id, port)
    try:
        cookies = {who: loadgen.login(HOST, port, data[who], datagen.BENCH_PASSWORD) for who in ("auditor", "hr")}
        one_query_rps = None
        for label, path, who in targets:
            if path is None:
                result.add(label, "missing", "", target="route not there yet")
                result.note(f"{label}: no such route yet")
                continue
            status = body = None
            for _ in range(3):  # warm both workers (templates compile on first use)
                status, body = loadgen.fetch(HOST, port, path, cookies[who])
            if status != 200:
                result.add(label, f"HTTP {status}", "", target=path)
                result.note(f"{label} {path} answered HTTP {status}: {body[:200]!r}")
                continue
            figures = loadgen.load(HOST, port, path, cookies[who], sizes["load_seconds"], sizes["load_connections"])
            if figures.non2xx or figures.errors:
                result.note(f"{label}: {figures.non2xx} non-2xx answers, {figures.errors} socket errors")
            if label == "one-query route":
                one_query_rps = figures.rps
            is_case_page = label == "case page"
            result.add(f"{label} req/s", figures.rps, "req/s", baseline=one_query_rps if label != "one-query route" else None,
                       baseline_name="one-query" if one_query_rps and label != "one-query route" else "",
                       target=">= 40% of one-query" if is_case_page else "",
                       meets=(figures.rps >= TARGET_CASE_PAGE * one_query_rps) if is_case_page and one_query_rps else None)
            result.add(f"{label} p50/p95", f"{figures.p50_ms:.1f} / {figures.p95_ms:.1f}", "ms")
            result.details[label] = {"path": path, "as": who, **figures.__dict__, "bytes": len(body or b"")}
        result.note(f"load: {sizes['load_seconds']} s per target, {sizes['load_connections']} connections, "
                    f"gunicorn 2 sync workers, {'wrk' if loadgen.shutil.which('wrk') else 'python client'}")
    finally:
        stop(proc)
