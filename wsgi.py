"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import create_app

app = create_app()

if app.config.get("PROXY_COUNT"):
    # Behind a reverse proxy: take the client address and scheme from the proxy's headers.
    count = app.config["PROXY_COUNT"]
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
