"""The tracking package's errors (``service.errors`` turns them into problems)."""

from __future__ import annotations

from service.errors import ServiceError


class TrackingError(ServiceError):
    """Base of this package's errors."""

    slug = "tracking-error"
    status = 422
    title = "The tracking form could not be updated"


class NothingToTrack(TrackingError):
    slug = "nothing-to-track"
    status = 409
    title = "No decision is recorded for this family yet: record the panel's decision first"


class ActionNotFound(TrackingError):
    slug = "action-not-found"
    status = 404
    title = "The case's current decision has no action with this number"


class UnknownActionStatus(TrackingError):
    slug = "unknown-action-status"
    status = 422
    title = "An action's status is one of open, in_progress, done, dropped"


class FormVersionNotFound(TrackingError):
    slug = "tracking-form-version-not-found"
    status = 404
    title = "The family's tracking form has no stored version with this number"


class PdfUnavailable(TrackingError):
    slug = "pdf-unavailable"
    status = 422
    title = "PDF conversion is not available on this server: ask for format=docx"
