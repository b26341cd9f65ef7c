"""Outgoing e-mail through an SMTP server named by a URL (`EARSIP_SMTP_URL`).

`smtp://user:pass@host:587?starttls=1&from=arsip@example.go.id` (STARTTLS on a submission
port), `smtps://user:pass@host:465?from=...` (TLS from the start) or `smtp://host:25?from=...`
(an office relay without a password). User name and password are percent-encoded in the URL.
Plain values in, `MailFailed` out; the only imports are the standard library and
`earsip.errors`.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from earsip.errors import MailFailed

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, credentials, TLS mode, the sender's address."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False  # TLS from the first byte (smtps://)
    starttls: bool = False
    timeout_s: float = 10.0


def is_address(value: str) -> bool:
    """Return True when `value` looks like one plain e-mail address (name@domain)."""
    name, address = parseaddr(value)
    local, at, domain = address.partition("@")
    return (not name and address == value and bool(at and local and "." in domain)
            and not any(c.isspace() or c in ",;<>" for c in value))


def parse_url(url: str) -> SmtpSettings:
    """Return the settings of an SMTP URL; ValueError saying what is wrong otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("must name the mail server (smtp://host:587?from=...)")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as e:
        raise ValueError("has a port that is not a number from 1 to 65535") from e
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"from", "starttls", "timeout"}
    if unknown:
        raise ValueError(f"has unknown parameters: {', '.join(sorted(unknown))}")
    username = unquote(parts.username) if parts.username else None
    sender = query.get("from") or (username if username and is_address(username) else "")
    if not is_address(sender):
        raise ValueError("must give the sender's address (?from=arsip@example.go.id)")
    starttls = query.get("starttls", "0").lower()
    if starttls not in _TRUE + _FALSE:
        raise ValueError("has starttls that is neither 1 nor 0")
    try:
        timeout = float(query.get("timeout", "10"))
    except ValueError as e:
        raise ValueError("has a timeout that is not a number of seconds") from e
    if not 0 < timeout <= 300:
        raise ValueError("has a timeout outside 1..300 seconds")
    return SmtpSettings(host=parts.hostname, port=port, sender=sender, username=username,
                        password=unquote(parts.password) if parts.password else None,
                        tls=parts.scheme == "smtps", starttls=starttls in _TRUE,
                        timeout_s=timeout)


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """Return a plain-text UTF-8 message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


class Connection:
    """An open session with the mail server (`with connect(settings) as c: c.send(...)`)."""

    def __init__(self, settings: SmtpSettings, client: smtplib.SMTP) -> None:
        self.settings = settings
        self._client = client

    def send(self, to: str, subject: str, body: str) -> str:
        """Send one message to `to`; return its Message-ID. MailFailed when it is refused."""
        message = compose(self.settings.sender, to, subject, body)
        try:
            refused = self._client.send_message(message)
        except (smtplib.SMTPException, OSError) as e:
            raise MailFailed("Surel ke %(to)s tidak terkirim: %(reason)s",
                             params={"to": to, "reason": _reason(e)}) from e
        if refused:
            raise MailFailed("Surel ke %(to)s ditolak server: %(reason)s",
                             params={"to": to, "reason": str(refused)[:300]})
        return str(message["Message-ID"])

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            self._client.quit()
        except (smtplib.SMTPException, OSError):
            self._client.close()


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text[:300]


def connect(settings: SmtpSettings) -> Connection:
    """Open a session with the server (TLS and sign-in as configured); MailFailed otherwise."""
    client: smtplib.SMTP | None = None
    try:
        if settings.tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        client.ehlo()
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
    except (smtplib.SMTPException, OSError) as e:
        if client is not None:
            client.close()
        server = f"{settings.host}:{settings.port}"
        raise MailFailed("Server surel %(server)s tidak dapat dipakai: %(reason)s",
                         params={"server": server, "reason": _reason(e)}) from e
    return Connection(settings, client)
