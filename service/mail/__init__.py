"""Outgoing mail over SMTP: settings from ``MAPDOCS_SMTP_URL`` / ``MAPDOCS_MAIL_FROM``, one sender.

The packs code builds messages; this package only delivers them. Messages here are
written by mapdocs itself (panel name, meeting date, a link), never from a record.
"""

from service.mail.sender import (
    Attachment,
    MailDeliveryError,
    MailError,
    MailNotConfigured,
    MailSettings,
    Message,
    SmtpSender,
    mail_settings,
)

__all__ = ["Attachment", "MailDeliveryError", "MailError", "MailNotConfigured", "MailSettings", "Message",
           "SmtpSender", "mail_settings"]
