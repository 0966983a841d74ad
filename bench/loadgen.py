"""Load from a second process on loopback: wrk when installed, else a small threaded client."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.result import percentile

USER_AGENT = "samverkan-bench/1"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non2xx: int
    errors: int
    tool: str


def _cookies(headers: list[tuple[str, str]], jar: dict[str, str]) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login(host: str, port: int, email: str, password: str) -> str:
    """Log in over HTTP (GET the form, POST it with its CSRF token); the Cookie header to send."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/login", headers={"User-Agent": USER_AGENT})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    _cookies(response.getheaders(), jar)
    match = CSRF_RE.search(body)
    if not match:
        raise RuntimeError(f"no CSRF token on /login (status {response.status})")
    token = match.group(1) or match.group(2)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    conn.request("POST", "/login", body=form, headers={
        "User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": _cookie_header(jar)})
    response = conn.getresponse()
    response.read()
    _cookies(response.getheaders(), jar)
    if response.status not in (302, 303):
        conn.close()
        raise RuntimeError(f"login as {email} failed: HTTP {response.status}")
    # Follow the redirect as a browser would and keep the cookie it sets: the login starts a fresh
    # session, and the first page after it stores the session's CSRF token. Replaying the cookie
    # from the login answer instead would make every loaded page mint a new token (and defeat
    # the case-page cache, which is keyed by that token).
    location = urllib.parse.urlsplit(response.getheader("Location") or "/")
    conn.request("GET", (location.path or "/") + (f"?{location.query}" if location.query else ""),
                 headers={"User-Agent": USER_AGENT, "Cookie": _cookie_header(jar)})
    response = conn.getresponse()
    response.read()
    _cookies(response.getheaders(), jar)
    conn.close()
    return _cookie_header(jar)


def fetch(host: str, port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def run_wrk(url: str, cookie: str, seconds: float, connections: int) -> Load:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
           "-H", f"User-Agent: {USER_AGENT}", "-H", f"Cookie: {cookie}", "-s", str(LUA), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line[len("BENCHJSON "):])
    secs = data["duration_us"] / 1e6
    return Load(data["requests"], secs, data["requests"] / secs if secs else 0.0, data["p50_us"] / 1000,
                data["p95_us"] / 1000, data["p99_us"] / 1000, data["non2xx"], data["socket_errors"], "wrk")


def run_python(host: str, port: int, path: str, cookie: str, seconds: float, connections: int) -> Load:
    """Threads with keep-alive connections; the GIL makes it a weaker client than wrk."""
    latencies: list[float] = []
    bad = [0, 0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine: list[float] = []
        non2xx = errors = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 400:
                    non2xx += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            bad[0] += non2xx
            bad[1] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return Load(len(ms), elapsed, len(ms) / elapsed, percentile(ms, 50), percentile(ms, 95), percentile(ms, 99),
                bad[0], bad[1], "python")


def load(host: str, port: int, path: str, cookie: str, seconds: float, connections: int) -> Load:
    if shutil.which("wrk"):
        return run_wrk(f"http://{host}:{port}{path}", cookie, seconds, connections)
    return run_python(host, port, path, cookie, seconds, connections)
