"""The WSGI app the page benchmark serves under gunicorn: the real app plus two bench-only routes.

`/bench/hello` (no query) and `/bench/one-query` (one indexed SELECT) are the same-run baselines the
product pages are compared with. They exist only in this module, never in the product.
Environment: BENCH_DATABASE_URL, BENCH_RUN_ID.
"""
from __future__ import annotations

import os

from sqlalchemy import select

from bench import env
from tracker.access import public
from tracker.cases.models import Case
from tracker.extensions import db


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
    return app


app = create_bench_app()
