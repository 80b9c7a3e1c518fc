"""The contacts package's errors: each carries its HTTP status and problem slug (``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class ContactError(ServiceError):
    """Base of this package's errors."""

    slug = "family-contact-error"
    status = 422
    title = "The family's contact details could not be changed"


class InvalidContact(ContactError):
    """The address or channel cannot be used; the message says which and what to send instead."""

    slug = "invalid-family-contact"
    title = "The family's contact details are not valid"


class NoContact(ContactError):
    slug = "not-found"
    status = 404
    title = "No contact details are recorded for this family"
