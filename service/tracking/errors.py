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
