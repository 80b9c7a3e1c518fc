from __future__ import annotations

import pytest

from service.mail import (
    Attachment,
    MailDeliveryError,
    MailNotConfigured,
    MailSettings,
    Message,
    SmtpSender,
    mail_settings,
)
from tests.service.smtp_server import SmtpServer, smtp_auth_server, smtp_server

__all__ = ["smtp_auth_server", "smtp_server"]


def test_settings_from_config_or_environment() -> None:
    settings = mail_settings({}, {"MAPDOCS_SMTP_URL": "smtps://u%40x:p%3Aw@mail.example:2465",
                                  "MAPDOCS_MAIL_FROM": "panel@example.invalid"})
    assert (settings.scheme, settings.host, settings.port) == ("smtps", "mail.example", 2465)
    assert (settings.username, settings.password) == ("u@x", "p:w")
    assert "p:w" not in repr(settings)
    assert mail_settings({"SMTP_URL": "smtp://h", "MAIL_FROM": "a@b"}, {}).port == 25


@pytest.mark.parametrize(("url", "sender"), [("", "a@b"), ("smtp://h", ""), ("http://h", "a@b"),
                                             ("smtp://h", "not-an-address")])
def test_missing_or_bad_settings_are_refused(url: str, sender: str) -> None:
    with pytest.raises(MailNotConfigured):
        mail_settings({}, {"MAPDOCS_SMTP_URL": url, "MAPDOCS_MAIL_FROM": sender})


def test_sends_to_a_real_server(smtp_server: SmtpServer) -> None:
    sender = SmtpSender(MailSettings.from_url(smtp_server.url, "panel@example.invalid"))
    seen: list[str] = []
    count = sender.send([Message(to="a@example.invalid", subject="One", body="first"),
                         Message(to="b@example.invalid", subject="Two", body="second",
                                 attachments=(Attachment("x.pdf", b"%PDF-1.4 test"),))],
                        on_sent=lambda m: seen.append(m.to))
    assert count == 2 and seen == ["a@example.invalid", "b@example.invalid"]
    first, second = smtp_server.mailbox.received
    assert first.rcpt_tos == ["a@example.invalid"] and first.mail_from == "panel@example.invalid"
    assert first.message["Subject"] == "One" and first.body.strip() == "first" and not first.attachments
    assert [a.get_filename() for a in second.attachments] == ["x.pdf"]
    assert second.attachments[0].get_content() == b"%PDF-1.4 test"


def test_logs_in_with_url_credentials(smtp_auth_server: SmtpServer) -> None:
    url = f"smtp://mapdocs:s3cret%3A%2F%40@{smtp_auth_server.host}:{smtp_auth_server.port}"
    SmtpSender(MailSettings.from_url(url, "panel@example.invalid")).send(
        [Message(to="a@example.invalid", subject="s", body="b")])
    assert smtp_auth_server.mailbox.logins == ["mapdocs"]
    assert len(smtp_auth_server.mailbox.received) == 1


def test_wrong_credentials_fail_without_echoing_them(smtp_auth_server: SmtpServer) -> None:
    url = f"smtp://mapdocs:wrong-password@{smtp_auth_server.host}:{smtp_auth_server.port}"
    with pytest.raises(MailDeliveryError) as caught:
        SmtpSender(MailSettings.from_url(url, "panel@example.invalid")).send(
            [Message(to="a@example.invalid", subject="s", body="b")])
    assert "wrong-password" not in str(caught.value)
    assert caught.value.extra["sent"] == 0
    assert smtp_auth_server.mailbox.received == []


def test_unreachable_server_is_a_delivery_error(smtp_server: SmtpServer) -> None:
    settings = MailSettings.from_url(f"smtp://127.0.0.1:{smtp_server.port + 1}", "panel@example.invalid",
                                     timeout=2)
    with pytest.raises(MailDeliveryError):
        SmtpSender(settings).send([Message(to="a@example.invalid", subject="s", body="b")])


def test_require_starttls_refuses_a_plain_server(smtp_server: SmtpServer) -> None:
    settings = MailSettings.from_url(smtp_server.url + "?starttls=require", "panel@example.invalid")
    with pytest.raises(MailDeliveryError):
        SmtpSender(settings).send([Message(to="a@example.invalid", subject="s", body="b")])
    assert smtp_server.mailbox.received == []
