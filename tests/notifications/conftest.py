"""A real SMTP server on 127.0.0.1 (aiosmtpd), started by the test that needs it."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import Message

import pytest


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(committed_db, app):
    """Start an SMTP server and point the app at it; yields the inbox.

    Mail is sent after the commit through a connection of its own, so these tests commit for real.
    """
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="samverkan@example.org",
                      PUBLIC_BASE_URL="https://samverkan.example.org")
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(SMTP_HOST="")
