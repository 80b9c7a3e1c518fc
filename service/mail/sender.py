"""SMTP delivery: ``smtp://`` (STARTTLS when the server offers it), ``smtps://`` (TLS from the start).

``MAPDOCS_SMTP_URL`` may carry credentials (``smtps://user:pass@host:465``); they are
used for ``AUTH`` only and never appear in a message, a log line or an error.
``?starttls=require`` refuses a plain-text server; the default uses STARTTLS when offered.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from service.config import setting
from service.errors import ServiceError

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailError(ServiceError):
    """Base of this package's errors."""

    slug = "mail-error"
    status = 502
    title = "The mail could not be sent"


class MailNotConfigured(MailError):
    slug = "mail-not-configured"
    status = 503
    title = "No mail server is configured: set MAPDOCS_SMTP_URL and MAPDOCS_MAIL_FROM"


class MailDeliveryError(MailError):
    slug = "mail-delivery-failed"
    title = "The mail server refused or could not be reached; nothing further was sent"


@dataclass(frozen=True)
class MailSettings:
    scheme: str
    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = None
    require_starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, from_address: str, *, timeout: float = 30.0) -> MailSettings:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise MailNotConfigured("MAPDOCS_SMTP_URL must look like smtp://host:port or smtps://host:port")
        if "@" not in from_address:
            raise MailNotConfigured("MAPDOCS_MAIL_FROM must be an email address")
        query = parse_qs(parts.query)
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise MailNotConfigured("MAPDOCS_SMTP_URL has an invalid port") from None
        return cls(scheme=parts.scheme, host=parts.hostname, port=port, from_address=from_address,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   require_starttls=query.get("starttls", [""])[0] == "require", timeout=timeout)

    def __repr__(self) -> str:  # keep the password out of tracebacks and logs
        return f"MailSettings({self.scheme}://{self.host}:{self.port}, from={self.from_address})"


def mail_settings(config: Mapping[str, object], environ: Mapping[str, str] | None = None) -> MailSettings:
    """Settings from the app config (``SMTP_URL``, ``MAIL_FROM``) or the ``MAPDOCS_*`` environment."""
    url = str(setting(config, "SMTP_URL", environ) or "")
    sender = str(setting(config, "MAIL_FROM", environ) or "")
    if not url or not sender:
        raise MailNotConfigured()
    return MailSettings.from_url(url, sender)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    media_type: str = "application/pdf"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()

    def as_email(self, from_address: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = from_address
        email["To"] = self.to
        email["Subject"] = self.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[-1])
        email.set_content(self.body)
        for attachment in self.attachments:
            maintype, _, subtype = attachment.media_type.partition("/")
            email.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                                 filename=attachment.filename)
        return email


class SmtpSender:
    """Sends messages over one connection per call; the caller records what was sent."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.scheme == "smtps":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.scheme == "smtp":
                client.ehlo()
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif s.require_starttls:
                    raise MailDeliveryError("The mail server does not offer STARTTLS and the URL requires it")
            if s.username:
                client.login(s.username, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, messages: Iterable[Message], on_sent: Callable[[Message], None] | None = None) -> int:
        """Deliver each message in turn; stop at the first failure (what was sent stays sent).

        ``on_sent`` is called after each delivered message so the caller can record it
        before the next one goes: a failure halfway leaves an exact record.
        """
        sent = 0
        try:
            client = self._connect()
            try:
                for message in messages:
                    client.send_message(message.as_email(self.settings.from_address))
                    sent += 1
                    if on_sent is not None:
                        on_sent(message)
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            log.error("mail delivery stopped after %d message(s): %s", sent, type(exc).__name__)
            raise MailDeliveryError(
                f"The mail server refused or could not be reached after {sent} message(s) "
                f"({type(exc).__name__})", sent=sent) from None
        return sent
