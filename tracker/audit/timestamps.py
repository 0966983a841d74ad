"""Optional trusted time: an RFC 3161 time-stamp on every checkpoint from the configured TSA
(AUDIT_TSA_URL, its root certificate(s) in AUDIT_TSA_ROOTS), requested after the checkpoint's
commit like the witnesses' cosignatures. The token covers the checkpoint's whole signed note, so
it proves the log had at least that tree by the TSA's time."""
from __future__ import annotations

import logging
import urllib.request
from pathlib import Path

from cryptography import x509
from flask import current_app
from rfc3161_client import TimestampRequestBuilder, VerificationError, VerifierBuilder, decode_timestamp_response
from sqlalchemy import select

from tracker.audit.models import AuditTimestamp
from tracker.extensions import db
from tracker.timeutil import utcnow
from tracker.witness_program.notes import parse_checkpoint, split_note

log = logging.getLogger(__name__)


class TimestampFailed(Exception):
    """The TSA gave no valid time-stamp (unreachable, refused, or a token that does not verify)."""


def tsa_configured() -> bool:
    """True when AUDIT_TSA_URL is set."""
    return bool(current_app.config.get("AUDIT_TSA_URL"))


def _roots() -> list[x509.Certificate]:
    path = current_app.config.get("AUDIT_TSA_ROOTS") or ""
    if not path:
        raise TimestampFailed("AUDIT_TSA_ROOTS (the TSA's root certificate, PEM) is not set")
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def verify_token(response_der: bytes, note: str, roots: list[x509.Certificate], nonce: int | None = None) -> object:
    """The decoded response when it is a valid time-stamp over `note` by a TSA under `roots`."""
    try:
        response = decode_timestamp_response(response_der)
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        if nonce is not None:
            builder = builder.nonce(nonce)
        builder.build().verify_message(response, note.encode("utf-8"))
    except (VerificationError, ValueError) as error:
        raise TimestampFailed(f"the time-stamp does not verify: {error}") from error
    return response


def timestamp_checkpoint(note: str, checkpoint_id: int | None = None) -> AuditTimestamp:
    """Ask the TSA for a time-stamp over `note`, verify and store it (no commit)."""
    url = str(current_app.config["AUDIT_TSA_URL"])
    request = TimestampRequestBuilder().data(note.encode("utf-8")).build()
    http = urllib.request.Request(url, data=request.as_bytes(), method="POST",
                                  headers={"Content-Type": "application/timestamp-query"})
    timeout = float(current_app.config.get("AUDIT_WITNESS_TIMEOUT_SECONDS") or 5)
    try:
        with urllib.request.urlopen(http, timeout=timeout) as answer:  # noqa: S310 - configured URL
            data = answer.read(1 << 20)
    except OSError as error:
        raise TimestampFailed(f"the TSA at {url} could not be reached: {error}") from error
    response = verify_token(data, note, _roots(), request.nonce)
    row = AuditTimestamp(checkpoint_id=checkpoint_id, tree_size=parse_checkpoint(split_note(note)[0]).size,
                         tsa_url=url, response=data, gen_time=response.tst_info.gen_time,  # type: ignore[attr-defined]
                         received_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def latest_timestamp() -> AuditTimestamp | None:
    """The newest stored time-stamp."""
    return db.session.execute(select(AuditTimestamp).order_by(AuditTimestamp.id.desc()).limit(1)).scalar_one_or_none()
