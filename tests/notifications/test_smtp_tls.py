"""STARTTLS to the mail server verifies its certificate and host name."""
from __future__ import annotations

import ssl

from tracker.notifications import mail


class RecordingSMTP:
    instances: list[RecordingSMTP] = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.starttls_context = host, port, None
        RecordingSMTP.instances.append(self)

    def starttls(self, context=None):
        self.starttls_context = context

    def login(self, user, password):
        self.user = user


def test_starttls_uses_a_verifying_context(app, monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", RecordingSMTP)
    for key, value in {"SMTP_HOST": "mail.example.org", "SMTP_PORT": 587, "SMTP_STARTTLS": True,
                       "SMTP_USER": "samverkan"}.items():
        monkeypatch.setitem(app.config, key, value)
    client = mail._smtp()
    context = client.starttls_context
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
