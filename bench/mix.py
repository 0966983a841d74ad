"""The realistic load: several signed-in users of different roles at once, one request in ten a write.

Each reader session (an HR officer, a union representative, an auditor, a decision maker...) has
its own keep-alive connection and cycles through *its* pages of the kind being measured (the case
pages of several cases, its case list, the audit pages it may see, its dashboard). Every tenth
request of every connection is a write by *another* user (a comment posted, a stage's content
saved, notifications marked read), so whatever depends on the data (the audit-chain head, the
unread count, a cache if one existed) keeps moving, as it does when people use the app.

The figure is the pages read per second (writes excluded); the same mix is run against the
one-query route, and the ratio between the two is what is reported.
"""
from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from bench.loadgen import CSRF_RE, USER_AGENT
from bench.result import percentile

WRITE_EVERY = 10  # one request in ten is a write
SERVER_TIME_HEADER = "X-Bench-Server-Ms"  # set by bench/app_wrapper.py


@dataclass(frozen=True)
class Reader:
    """A signed-in user and the pages of the measured kind it cycles through."""

    role: str
    cookie: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Write:
    """A state change by a user who is not reading: POST `fields` (CSRF token added) to `path`."""

    kind: str
    path: str
    cookie: str
    token: str
    fields: dict[str, str]
    csrf_prefix: str = ""

    def body(self, n: int) -> str:
        data = {k: v.replace("{n}", str(n)) for k, v in self.fields.items()}
        data["csrf_token"] = self.token
        if self.csrf_prefix:
            data[f"{self.csrf_prefix}-csrf_token"] = self.token
        return urllib.parse.urlencode(data)


@dataclass
class MixLoad:
    """What one run of the mix measured."""

    reads: int
    writes: int
    seconds: float
    read_rps: float
    read_p50_ms: float
    read_p95_ms: float
    write_p50_ms: float
    read_server_ms: float  # mean time in the app per read, queueing excluded
    write_server_ms: float
    bad_reads: int
    bad_writes: int
    errors: int
    reads_by_role: dict[str, int] = field(default_factory=dict)
    writes_by_kind: dict[str, int] = field(default_factory=dict)


def _request(conn: http.client.HTTPConnection, method: str, path: str, cookie: str,
             body: str | None = None) -> tuple[int, float]:
    """HTTP status and the app's own time for the request (ms; NaN when not reported)."""
    headers = {"User-Agent": USER_AGENT, "Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, float(response.getheader(SERVER_TIME_HEADER) or "nan")


def _mean(values: list[float]) -> float:
    known = [v for v in values if v == v]
    return sum(known) / len(known) if known else float("nan")


def csrf_token(host: str, port: int, path: str, cookie: str) -> str:
    """The CSRF token of the signed-in session behind `cookie`, read from a page with a form."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    match = CSRF_RE.search(page)
    if not match:
        raise RuntimeError(f"no CSRF token on {path} (HTTP {response.status})")
    return match.group(1) or match.group(2)


def try_write(host: str, port: int, write: Write) -> int:
    """Send one write (to check it is accepted before the load); its HTTP status."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        return _request(conn, "POST", write.path, write.cookie, write.body(0))[0]
    finally:
        conn.close()


def ok_read(status: int) -> bool:
    return status == 200


def ok_write(status: int) -> bool:
    return status in (200, 302, 303)


def run_mix(host: str, port: int, readers: list[Reader], writes: list[Write], seconds: float,
            per_reader: int = 1) -> MixLoad:
    """Every reader on `per_reader` connections at once for `seconds`; each tenth request a write."""
    if not writes:
        raise ValueError("the mix needs at least one write")
    lock = threading.Lock()
    read_ms: list[float] = []
    write_ms: list[float] = []
    server_read_ms: list[float] = []
    server_write_ms: list[float] = []
    totals: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    write_numbers = itertools.count(1)
    start_barrier = threading.Barrier(len(readers) * per_reader + 1)
    deadline = [0.0]

    def worker(slot: int, reader: Reader) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine_read: list[float] = []
        mine_write: list[float] = []
        mine_server_read: list[float] = []
        mine_server_write: list[float] = []
        mine: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        paths = itertools.cycle(reader.paths[slot % len(reader.paths):] + reader.paths[:slot % len(reader.paths)])
        planned = itertools.cycle(writes[slot % len(writes):] + writes[:slot % len(writes)])
        start_barrier.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            n += 1
            is_write = n % WRITE_EVERY == 0
            started = time.perf_counter()
            try:
                if is_write:
                    write = next(planned)
                    status, server_ms = _request(conn, "POST", write.path, write.cookie,
                                                 write.body(next(write_numbers)))
                else:
                    status, server_ms = _request(conn, "GET", next(paths), reader.cookie)
            except (OSError, http.client.HTTPException):
                mine["errors"] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            elapsed_ms = (time.perf_counter() - started) * 1000
            if is_write:
                mine_write.append(elapsed_ms)
                mine_server_write.append(server_ms)
                kinds[write.kind] += 1
                mine["writes"] += 1
                if not ok_write(status):
                    mine["bad_writes"] += 1
            else:
                mine_read.append(elapsed_ms)
                mine_server_read.append(server_ms)
                mine["reads"] += 1
                if not ok_read(status):
                    mine["bad_reads"] += 1
        conn.close()
        with lock:
            read_ms.extend(mine_read)
            write_ms.extend(mine_write)
            server_read_ms.extend(mine_server_read)
            server_write_ms.extend(mine_server_write)
            totals.update(mine)
            by_role[reader.role] += mine["reads"]
            by_kind.update(kinds)

    threads = [threading.Thread(target=worker, args=(slot, reader), daemon=True)
               for slot, reader in enumerate(r for r in readers for _ in range(per_reader))]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    start_barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return MixLoad(
        reads=totals["reads"], writes=totals["writes"], seconds=elapsed,
        read_rps=totals["reads"] / elapsed if elapsed else 0.0,
        read_p50_ms=percentile(read_ms, 50), read_p95_ms=percentile(read_ms, 95),
        write_p50_ms=percentile(write_ms, 50),
        read_server_ms=_mean(server_read_ms), write_server_ms=_mean(server_write_ms),
        bad_reads=totals["bad_reads"], bad_writes=totals["bad_writes"], errors=totals["errors"],
        reads_by_role=dict(by_role), writes_by_kind=dict(by_kind))
