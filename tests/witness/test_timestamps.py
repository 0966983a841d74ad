"""RFC 3161 time-stamps on checkpoints from a local `openssl ts` TSA behind a tiny HTTP wrapper."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.audit.helpers import build_chain
from tests.conftest import IN_CI
from tests.witness.support import make_note
from tracker.audit.models import AuditTimestamp
from tracker.audit.timestamps import TimestampFailed, timestamp_checkpoint, verify_token
from tracker.audit.witness_client import certify_checkpoint
from tracker.audit.witness_config import log_origin
from tracker.extensions import db
from tracker.notifications.labels import message
from tracker.notifications.models import Notification, NotificationKind
from tracker.unit_of_work import unit_of_work

if shutil.which("openssl") is None and not IN_CI:
    pytest.skip("openssl is not installed", allow_module_level=True)

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = Test TSA
[ tsa_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {dir}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
"""


def _openssl(directory: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=60)


def _make_pki(directory: Path, name: str) -> None:
    (directory / "tsa.cnf").write_text(CONFIG.format(dir=directory))
    (directory / "serial").write_text("01\n")
    _openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", f"/CN={name} Root", "-config", "tsa.cnf", "-extensions", "ca_ext")
    _openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", f"/CN={name}", "-config", "tsa.cnf")
    _openssl(directory, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "tsa.crt", "-days", "2", "-extfile", "tsa.cnf", "-extensions", "tsa_ext")


@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[str, Path]]:
    """A TSA: `openssl ts -reply` for each POSTed query; yields (URL, root certificate file)."""
    directory = Path(tempfile.mkdtemp(prefix="tsa-"))
    _make_pki(directory, "Test TSA")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with tempfile.TemporaryDirectory(dir=directory) as work:
                (Path(work) / "q.tsq").write_bytes(query)
                subprocess.run(["openssl", "ts", "-reply", "-config", str(directory / "tsa.cnf"), "-queryfile",
                                "q.tsq", "-inkey", str(directory / "tsa.key"), "-signer",
                                str(directory / "tsa.crt"), "-out", "r.tsr"],
                               cwd=work, check=True, capture_output=True, timeout=60)
                reply = (Path(work) / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", directory / "ca.crt"
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_checkpoint_gets_a_verified_timestamp(app, tsa, monkeypatch):
    url, root = tsa
    monkeypatch.setitem(app.config, "AUDIT_TSA_URL", url)
    monkeypatch.setitem(app.config, "AUDIT_TSA_ROOTS", str(root))
    build_chain(3)
    note = make_note(log_origin(app.config))
    row = timestamp_checkpoint(note)
    assert (row.tree_size, row.tsa_url) == (3, url)
    assert db.session.execute(select(AuditTimestamp)).scalar_one().gen_time is not None
    from cryptography import x509

    roots = x509.load_pem_x509_certificates(root.read_bytes())
    verify_token(row.response, note, roots)
    with pytest.raises(TimestampFailed):
        verify_token(row.response, note.replace("\n3\n", "\n4\n"), roots)  # another checkpoint


def test_a_timestamp_from_an_untrusted_tsa_is_refused_and_alerted(app, tsa, monkeypatch, tmp_path, factory):
    url, _root = tsa
    _make_pki(tmp_path, "Other TSA")
    monkeypatch.setitem(app.config, "AUDIT_TSA_URL", url)
    monkeypatch.setitem(app.config, "AUDIT_TSA_ROOTS", str(tmp_path / "ca.crt"))
    factory.user("auditor")
    build_chain(2)
    with unit_of_work():
        outcomes = certify_checkpoint(make_note(log_origin(app.config)))
    assert [(o.ok, o.problem) for o in outcomes] == [(False, "tsa")]
    assert db.session.execute(select(AuditTimestamp)).first() is None
    [alert] = db.session.execute(select(Notification).where(
        Notification.kind == NotificationKind.WITNESS_PROBLEM)).scalars().all()
    assert message(alert.kind, alert.params).startswith("Tidsstämpeltjänsten")


def test_the_audit_page_shows_the_newest_timestamp(app, tsa, monkeypatch, web, factory):
    url, root = tsa
    monkeypatch.setitem(app.config, "AUDIT_TSA_URL", url)
    monkeypatch.setitem(app.config, "AUDIT_TSA_ROOTS", str(root))
    auditor = factory.user("auditor")
    build_chain(2)
    timestamp_checkpoint(make_note(log_origin(app.config)))
    db.session.commit()
    assert web.login(auditor.email, factory.password).status_code == 302
    html = web.client.get("/audit").get_data(as_text=True)
    assert "Tidsstämpel (RFC 3161) från" in html and url in html
