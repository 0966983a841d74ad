"""The witness's HTTP endpoint: C2SP tlog-witness `POST /add-checkpoint` (and a read-only
`GET /checkpoint?origin=...` that serves the last cosigned checkpoint)."""
from __future__ import annotations

import logging
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .state import Witness, WitnessError

MAX_BODY = 1 << 20
log = logging.getLogger("witness")


def _handler(witness: Witness, prefix: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "samverkan-witness/1"

        def _answer(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's spelling
            if urlsplit(self.path).path != prefix + "/add-checkpoint":
                self._answer(404, "not found\n")
                return
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                self._answer(400, "a request body of at most 1 MiB with a Content-Length is required\n")
                return
            body = self.rfile.read(length)
            try:
                line = witness.add_checkpoint(body)
            except WitnessError as exc:
                log.warning("refused a checkpoint (%s): %s", exc.status, exc)
                self._answer(exc.status, exc.body, exc.content_type)
                return
            log.info("cosigned: %s", line.strip())
            self._answer(200, line)

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if url.path != prefix + "/checkpoint":
                self._answer(404, "not found\n")
                return
            origin = (parse_qs(url.query).get("origin") or [""])[0]
            note = witness.latest_note(origin) if origin else None
            if note is None:
                self._answer(404, "no checkpoint cosigned for that origin\n")
            else:
                self._answer(200, note)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            log.info("%s %s", self.address_string(), format % args)

    return Handler


def make_server(witness: Witness, host: str, port: int, prefix: str = "") -> ThreadingHTTPServer:
    """An HTTP server for `witness` (port 0: a free one; see `server.server_address`)."""
    witness.key()  # fail now, not at the first request, when the key is unreadable
    return ThreadingHTTPServer((host, port), _handler(witness, prefix.rstrip("/")))


def serve(witness: Witness, host: str, port: int, prefix: str = "", port_file: str | None = None) -> None:
    """Serve until interrupted; writes the bound port to `port_file` once listening."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s witness %(levelname)s %(message)s",
                        stream=sys.stderr)
    server = make_server(witness, host, port, prefix)
    bound = server.server_address[1]
    if port_file:
        with open(port_file, "w", encoding="ascii") as handle:
            handle.write(f"{bound}\n")
    log.info("witness %s listening on http://%s:%s%s/add-checkpoint", witness.name, host, bound, prefix)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
