"""``floorwalk worker``'s loop: each tick runs the timed jobs, then sends the mails due.

SIGTERM (or SIGINT) asks it to stop: the mail being sent is finished and recorded, then
the loop ends and the command exits 0. Delivery rules are in outbox.py.
"""

import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from ..extensions import db
from ..models import utcnow
from ..settings import public_url
from .jobs import run_jobs
from .mail import SendFailed, build_mail, configured_server, send_mail
from .outbox import LEASE, claim_next, claimed_mail, mark_failed, mark_sent

logger = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        app: Flask,
        tick: float = 15.0,
        lease: timedelta = LEASE,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.app = app
        self.tick_seconds = tick
        self.lease = lease
        self.clock = clock
        self.name = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.stopping = threading.Event()

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def handle_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self, once: bool = False) -> None:
        """Tick until asked to stop (``once``: a single tick)."""
        logger.info("worker %s started", self.name)
        while not self.stopping.is_set():
            self.tick()
            if once:
                break
            self.stopping.wait(self.tick_seconds)
        logger.info("worker %s stopped", self.name)

    def tick(self) -> None:
        """The jobs, then the mails due. A failure (the database gone a moment) is logged
        and the next tick tries again: a claimed mail waits for its lease to run out."""
        with self.app.app_context():
            try:
                run_jobs(db.session, self.clock(), self.app.config.get("PHOTO_DIR"))
                self.send_due()
            except Exception:
                logger.exception("worker: the tick failed; the next one tries again")
                db.session.rollback()
            finally:
                db.session.remove()

    def send_due(self) -> int:
        """Send the mails due, one claim at a time, until none is due or a stop is asked."""
        server = configured_server()
        if server is None:
            return 0
        sent = 0
        while not self.stopping.is_set():
            outbox_id = claim_next(db.session, self.name, self.clock(), self.lease)
            if outbox_id is None:
                break
            sent += self.send_one(outbox_id, server)
        return sent

    def send_one(self, outbox_id: int, server) -> bool:
        row, notification = claimed_mail(db.session, outbox_id)
        attempts, address = row.attempts + 1, row.to_address
        try:
            mail = self.mail_for(row, notification, server)
            db.session.commit()  # no transaction stays open while the mail server talks
            send_mail(server, mail)
        except SendFailed as error:
            logger.warning("worker: mail %s to %r failed: %s", outbox_id, address, error)
            mark_failed(db.session, outbox_id, self.name, attempts, str(error), self.clock(),
                        error.permanent)  # fmt: skip
            return False
        if not mark_sent(db.session, outbox_id, self.name, self.clock()):
            logger.warning("worker: mail %s was sent after its claim ran out", outbox_id)
        return True

    def mail_for(self, row, notification, server):
        """The mail of a claimed row; SendFailed (for good) when it must not or cannot
        be sent: one bad row is given up with its reason, never a failed tick."""
        if not notification.user.active:
            raise SendFailed("Not sent: the user is deactivated.", permanent=True)
        base = public_url(db.session, self.app.config.get("PUBLIC_URL", ""))
        try:
            return build_mail(notification, row.to_address, row.id, server, base)
        except ValueError as error:
            raise SendFailed(
                f"Not sent: the address cannot go in a mail header ({error}).", permanent=True
            ) from None
