"""A real SMTP server in the test process (aiosmtpd), which keeps what it receives.

``refuse`` answers 451 to that many mails first; ``hold_rcpt`` makes each RCPT wait
until the event is set, to catch a worker mid-send (``waiting``: how many wait now).
Mails come back as parsed messages.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Keeper:
    def __init__(self):
        self.mails: list[EmailMessage] = []
        self.refuse = 0
        self.refused = 0
        self.hold_rcpt: threading.Event | None = None
        self.rcpt_seen = threading.Event()
        self.waiting = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.rcpt_seen.set()
        if self.hold_rcpt is not None:
            import asyncio

            self.waiting += 1
            while not self.hold_rcpt.is_set():
                await asyncio.sleep(0.05)
            self.waiting -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 Try again later"
            mail = message_from_bytes(envelope.content, policy=policy.default)
            mail["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            self.mails.append(mail)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [mail for mail in self.mails if mail["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def mail_server() -> Iterator[Keeper]:
    """The SMTP server on a free port (its ``url``), stopped on leaving."""
    keeper = Keeper()
    port = free_port()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    keeper.url = f"smtp://127.0.0.1:{port}"
    try:
        yield keeper
    finally:
        if keeper.hold_rcpt is not None:
            keeper.hold_rcpt.set()
        controller.stop()


@pytest.fixture
def smtp_server(app):
    """The SMTP server, and the app set to mail through it."""
    with mail_server() as keeper:
        app.config.update(SMTP_URL=keeper.url, MAIL_FROM="floorwalk@plant.example", SMTP_TIMEOUT=10)
        yield keeper
