"""The meetings package's errors: each carries its HTTP status and problem slug (``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class MeetingError(ServiceError):
    """Base of this package's errors."""

    slug = "meeting-error"
    status = 422
    title = "The meeting could not be changed"


class MeetingNotFound(MeetingError):
    slug = "not-found"
    status = 404
    title = "No meeting with this id"


class CaseNotFound(MeetingError):
    slug = "not-found"
    status = 404
    title = "No listed case with this id"


class MeetingCancelled(MeetingError):
    slug = "meeting-cancelled"
    status = 409
    title = "This meeting was cancelled; create or choose another meeting"


class MeetingClash(MeetingError):
    slug = "meeting-exists"
    status = 409
    title = "This panel already has a meeting on that date; move or cancel it instead"


class InvalidMeeting(MeetingError):
    slug = "invalid-meeting"
    title = "The meeting details could not be used"


class NotListable(MeetingError):
    slug = "not-listable"
    status = 409
    title = "This referral cannot be listed for this meeting"
