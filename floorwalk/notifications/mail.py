"""Mails: where they go (FLOORWALK_SMTP_URL, FLOORWALK_MAIL_FROM), what they look like
(a plain-text and an HTML part, each with the absolute link to the thing itself) and
sending one through smtplib, with a timeout so a server that hangs never holds the
worker for long. Only ``floorwalk worker`` sends: no request ever waits on a mail server.
"""

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from html import escape
from urllib.parse import unquote, urlsplit

from flask import current_app, has_app_context

from ..models import Notification

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
# Line breaks and other control characters: a subject (an action's title as a phone sent
# it) is one line, never a way to add a header to the mail.
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class MailServer:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @property
    def domain(self) -> str:
        """The right-hand side of Message-IDs: the sender's domain."""
        return self.sender.rpartition("@")[2] or "floorwalk"


def parse_smtp_url(url: str, sender: str, timeout: float = 30.0) -> MailServer:
    """``smtp://host:port`` or ``smtps://user:pass@host:port`` as a MailServer;
    ValueError saying what is wrong. ``smtp://`` upgrades with STARTTLS when the server
    offers it (and then only signs in)."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(
            "FLOORWALK_SMTP_URL must be smtp://host:port or smtps://user:password@host:port."
        )
    if "@" not in sender:
        raise ValueError("FLOORWALK_MAIL_FROM must be an address, e.g. floorwalk@example.com.")
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        timeout=timeout,
    )


def mail_enabled() -> bool:
    """Whether FLOORWALK_SMTP_URL and FLOORWALK_MAIL_FROM are both set: what requests ask
    (they never parse the URL, so a mistyped one cannot fail a push; the worker refuses
    to start with it)."""
    if not has_app_context():
        return False
    return bool(current_app.config.get("SMTP_URL") and current_app.config.get("MAIL_FROM"))


def configured_server() -> MailServer | None:
    """The app's mail server, or None when FLOORWALK_SMTP_URL or FLOORWALK_MAIL_FROM is
    not set (then notifications stay in the inbox)."""
    if not mail_enabled():
        return None
    config = current_app.config
    return parse_smtp_url(config["SMTP_URL"], config["MAIL_FROM"], config["SMTP_TIMEOUT"])


def one_line(text: str) -> str:
    """``text`` on one line: control characters and runs of spaces as one space."""
    return " ".join(CONTROLS.sub(" ", text).split())


def message_id(outbox_id: int, domain: str) -> str:
    """The same for every attempt at one outbox row: a mail sent twice (a worker killed
    between the server's acceptance and recording it) is recognisably one."""
    return f"<floorwalk-outbox-{outbox_id}@{domain}>"


def absolute_link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def build_mail(
    notification: Notification, to: str, outbox_id: int, server: MailServer, base_url: str
) -> EmailMessage:
    """The mail for one notification: subject, plain text and HTML, the link in both.
    ValueError when ``to`` cannot be a header (a line break in it)."""
    link = absolute_link(base_url, notification.link)
    subject = one_line(notification.subject)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = server.sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(outbox_id, server.domain)
    mail["Auto-Submitted"] = "auto-generated"
    footer = "You get this mail from floorwalk; choose what comes by mail on your Account page."
    mail.set_content(f"{notification.body}\n\nOpen it: {link}\n\n-- \n{footer}\n")
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in notification.body.split("\n") if line)
    mail.add_alternative(
        "<!doctype html><html><body>"
        f"<h1>{escape(subject)}</h1>{paragraphs}"
        f'<p><a href="{escape(link)}">Open it in floorwalk</a></p>'
        f"<p><small>{escape(footer)}</small></p></body></html>",
        subtype="html",
    )
    return mail


class SendFailed(Exception):
    """A mail the server did not take; ``permanent`` when retrying cannot help (5xx)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def send_mail(server: MailServer, mail: EmailMessage) -> None:
    """Hand the mail to the server; SendFailed saying why not."""
    try:
        _deliver(server, mail)
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)  # fmt: skip
        raise SendFailed(
            f"{error.smtp_code} {text}", permanent=500 <= error.smtp_code < 600
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)
        raise SendFailed(f"recipient refused: {error.recipients}", permanent) from None
    except (OSError, smtplib.SMTPException) as error:
        raise SendFailed(f"{type(error).__name__}: {error}") from None


def _deliver(server: MailServer, mail: EmailMessage) -> None:
    context = ssl.create_default_context()
    if server.scheme == "smtps":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    with client:
        client.ehlo()
        if server.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(mail)
