"""The referral package's errors: each carries its HTTP status and problem slug (``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class ReferralError(ServiceError):
    """Base of this package's errors."""

    slug = "referral-error"
    status = 422
    title = "The referral could not be changed"


class InvalidCorrection(ReferralError):
    """A correction names a path the record does not have, or a value its schema rejects."""

    slug = "invalid-correction"
    title = "The correction names an unknown path or a value the record does not accept"


class InvalidTriage(ReferralError):
    slug = "invalid-triage"
    title = "The triage facts could not be read"


class InvalidConsentEvent(ReferralError):
    slug = "invalid-consent-event"
    title = "The consent event could not be recorded"


class ChairOnly(ReferralError):
    slug = "forbidden"
    status = 403
    title = "Only a panel chair may record or change the decision to proceed without consent"


class NoRecordYet(ReferralError):
    slug = "no-record"
    status = 409
    title = "No record has been read from this referral's documents yet; attach a readable document first"


class AlreadyAnotherReferral(ReferralError):
    slug = "document-belongs-to-another-referral"
    status = 409
    title = "These exact bytes were already received for this panel as another referral"
