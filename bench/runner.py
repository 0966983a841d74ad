"""The orchestrator: throwaway databases, one subprocess per measurement, a table and results.json.

Each measurement runs in its own Python process so a crash, a leak or a high-water mark of one
cannot colour the next (peak memory in particular is per process). A failing measurement is
printed and the run continues; `make bench` always exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import env
from bench.result import Result

MEASUREMENTS = ("pages", "queries", "pdf", "verify", "documents", "scale", "concurrency", "merkle")

FULL_SIZES: dict[str, int] = {
    # 1. pages under gunicorn
    "page_members": 12,
    "page_documents": 30,
    "page_events": 5000,
    "page_cases": 1000,
    "page_rich_cases": 4,
    "load_seconds": 5,
    "load_connections": 4,
    "mix_rounds": 2,
    "page_single_url": 1,
    # 2. queries per page
    "queries_small": 10,
    "queries_large": 1000,
    # 3. PDF
    "pdf_events": 10000,
    # 4. verification
    "verify_events": 1_000_000,
    # 5. documents
    "document_mb": 200,
    # 6. scale
    "scale_cases": 100_000,
    "scale_events": 10_000_000,
    "scale_requests": 40,
    # 7. concurrency
    "writers": 8,
    "writes_per_writer": 200,
    # 9. the Merkle log
    "proof_events": 10_000_000,
    "proof_samples": 1000,
}

QUICK_SIZES: dict[str, int] = {
    **FULL_SIZES,
    "page_events": 5000,
    "load_seconds": 1,
    "load_connections": 2,
    "mix_rounds": 1,
    "pdf_events": 2000,
    "verify_events": 20_000,
    "document_mb": 20,
    "scale_cases": 10_000,
    "scale_events": 200_000,
    "scale_requests": 15,
    "writes_per_writer": 25,
    "proof_events": 200_000,
    "proof_samples": 200,
}

TIMEOUT_SECONDS = {"full": 3 * 3600, "quick": 900}


def parse_sizes(text: str | None, base: dict[str, int]) -> dict[str, int]:
    sizes = dict(base)
    if not text:
        return sizes
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, _, value = item.partition("=")
        key = key.strip()
        if key not in sizes:
            raise SystemExit(f"unknown size {key!r}; known: {', '.join(sorted(sizes))}")
        sizes[key] = int(float(value.replace("_", "")))
    return sizes


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if value != value:  # NaN
            return "n/a"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_table(results: list[Result]) -> str:
    header = ("measurement", "metric", "value", "unit", "baseline", "ratio", "target", "met")
    lines: list[tuple[str, ...]] = []
    for result in results:
        if result.status != "ok" and not result.rows:
            reason = result.error.strip().splitlines()[-1] if result.error.strip() else result.status
            lines.append((result.name, f"[{result.status}] {reason}"[:100], "", "", "", "", "", ""))
            continue
        for row in result.rows:
            ratio = "" if row.ratio is None else f"{row.ratio * 100:.0f}%" if row.ratio < 10 else f"{row.ratio:.1f}x"
            baseline = _fmt(row.baseline) + (f" ({row.baseline_name})" if row.baseline_name else "")
            lines.append((result.name, row.metric, _fmt(row.value), row.unit, baseline, ratio, row.target,
                          _fmt(row.meets)))
        if result.status != "ok":
            last_error_line = result.error.strip().splitlines()[-1] if result.error else ""
            lines.append((result.name, f"[{result.status}] {last_error_line}"[:100], "", "", "", "", "", ""))
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) if lines else len(header[i])
              for i in range(len(header))]
    def fmt_line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(widths[i]) if i in (0, 1, 3, 6) else cell.rjust(widths[i])
                         for i, cell in enumerate(cells)).rstrip()
    out = [fmt_line(header), fmt_line(tuple("-" * w for w in widths))]
    previous = None
    for line in lines:
        if previous is not None and line[0] != previous:
            out.append("")
        out.append(fmt_line(line))
        previous = line[0]
    return "\n".join(out)


def _end_orphans(run_id: int) -> None:
    """A gunicorn the pages worker started and could not stop (it was killed): end its group."""
    import signal

    for pidfile in env.DATA_DIR.glob(f"gunicorn_{run_id}.pgid"):
        try:
            os.killpg(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        pidfile.unlink(missing_ok=True)


def run_worker(name: str, context: dict[str, Any], timeout: int) -> Result:
    """Run one measurement in a child process and read back its Result."""
    out_path = env.DATA_DIR / f"result_{context['run_id']}_{name}.json"
    ctx_path = env.DATA_DIR / f"context_{context['run_id']}.json"
    ctx_path.write_text(json.dumps(context))
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "bench.worker", name, str(ctx_path), str(out_path)]
    try:
        proc = subprocess.run(cmd, cwd=str(env.BENCH_DIR.parent), timeout=timeout,
                              stdout=None, stderr=subprocess.PIPE, text=True)
        stderr = proc.stderr or ""
        if proc.returncode != 0 and stderr:
            sys.stderr.write(stderr[-4000:])
    except subprocess.TimeoutExpired:
        _end_orphans(context["run_id"])
        return Result(name, status="error", error=f"timed out after {timeout}s",
                      seconds=time.perf_counter() - started)
    _end_orphans(context["run_id"])
    if out_path.exists():
        result = Result.from_dict(json.loads(out_path.read_text()))
        out_path.unlink()
    else:
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"
        result = Result(name, status="error", error=f"worker died: {tail}")
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run of a minute or two)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these measurements (repeatable or comma-separated): {', '.join(MEASUREMENTS)}")
    parser.add_argument("--sizes", metavar="KEY=N,...", help="override sizes, e.g. verify_events=200000")
    parser.add_argument("--list-sizes", action="store_true", help="print the sizes that would be used and exit")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway databases (for inspection)")
    parser.add_argument("--output", default=str(env.BENCH_DIR / "results.json"), help="results file")
    args = parser.parse_args(argv)

    mode = "quick" if args.quick else "full"
    sizes = parse_sizes(args.sizes, QUICK_SIZES if args.quick else FULL_SIZES)
    if args.list_sizes:
        print(json.dumps(sizes, indent=2))
        return 0
    only = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
    unknown = [n for n in only if n not in MEASUREMENTS]
    if unknown:
        print(f"unknown measurement(s): {', '.join(unknown)}; known: {', '.join(MEASUREMENTS)}", file=sys.stderr)
        return 0
    selected = [n for n in MEASUREMENTS if not only or n in only]

    run_id = os.getpid()
    env.DATA_DIR.mkdir(parents=True, exist_ok=True)
    have_pg = env.pg_available()
    if have_pg:
        try:
            env.create_pg_database(run_id)
        except Exception as error:  # noqa: BLE001 - report and go on without PostgreSQL
            print(f"bench: cannot create the PostgreSQL database: {error}", file=sys.stderr)
            have_pg = False
    context = {
        "run_id": run_id,
        "mode": mode,
        "sizes": sizes,
        "pg_url": env.pg_url(run_id) if have_pg else None,
        "sqlite_url": env.sqlite_url(run_id),
    }
    print(f"bench: {mode} run {run_id}; PostgreSQL {'yes' if have_pg else 'NOT available'}; "
          f"measurements: {', '.join(selected)}", flush=True)
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for name in selected:
            print(f"bench: {name} ...", flush=True)
            result = run_worker(name, context, TIMEOUT_SECONDS[mode])
            print(f"bench: {name} {result.status} in {result.seconds:.1f}s"
                  + (f": {result.error.strip().splitlines()[-1]}" if result.error.strip() else ""), flush=True)
            results.append(result)
    finally:
        if not args.keep:
            if have_pg:
                try:
                    env.drop_pg_database(run_id)
                except Exception as error:  # noqa: BLE001
                    print(f"bench: could not drop {env.pg_db_name(run_id)}: {error}", file=sys.stderr)
            for path in env.DATA_DIR.glob(f"bench_{run_id}.db*"):
                path.unlink(missing_ok=True)
            shutil.rmtree(env.instance_dir(run_id), ignore_errors=True)
            (env.DATA_DIR / f"context_{run_id}.json").unlink(missing_ok=True)

    print()
    print(render_table(results))
    notes = [(r.name, n) for r in results for n in r.notes]
    if notes:
        print()
        for name, note in notes:
            print(f"  [{name}] {note}")
    payload = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "sizes": sizes,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "loadavg_at_end": list(os.getloadavg())},
        "postgresql": have_pg,
        "total_seconds": round(time.perf_counter() - started, 1),
        "results": [r.to_dict() for r in results],
    }
    Path(args.output).write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nbench: wrote {args.output} ({payload['total_seconds']}s)")
    return 0
