"""The WSGI app the page benchmark serves under gunicorn: the real app plus two bench-only routes.

`/bench/hello` (no query) and `/bench/one-query` (one indexed SELECT) are the same-run baselines the
product pages are compared with. They exist only in this module, never in the product.
Environment: BENCH_DATABASE_URL, BENCH_RUN_ID.
"""
from __future__ import annotations

import os
import time

from sqlalchemy import select

from bench import env
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.web.access import public

SERVER_TIME_HEADER = "X-Bench-Server-Ms"


class ServerTime:
    """WSGI middleware: how long the app took for a request (queueing in gunicorn excluded), in a header."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            headers.append((SERVER_TIME_HEADER, f"{(time.perf_counter() - started) * 1000:.3f}"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed_start_response)


def create_bench_app():
    app = env.make_app(os.environ["BENCH_DATABASE_URL"], int(os.environ.get("BENCH_RUN_ID", "0")))

    @public
    def bench_hello():
        return "hello", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @public
    def bench_one_query():
        title = db.session.execute(select(Case.title).where(Case.id == 1)).scalar()
        return f"case 1: {title}", 200, {"Content-Type": "text/plain; charset=utf-8"}

    app.add_url_rule("/bench/hello", "bench_hello", bench_hello)
    app.add_url_rule("/bench/one-query", "bench_one_query", bench_one_query)
    app.wsgi_app = ServerTime(app.wsgi_app)  # type: ignore[method-assign]
    return app


app = create_bench_app()
