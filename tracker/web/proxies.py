"""Behind reverse proxies (`PROXY_COUNT`): the client's address, scheme and host come from their
X-Forwarded-* headers, so login throttling and the audit trail see each client's own address."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Trust the X-Forwarded-For/-Proto/-Host of PROXY_COUNT proxies; none when it is 0."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
