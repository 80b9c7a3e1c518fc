"""The decisions package's errors: each carries its HTTP status and problem slug (``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class DecisionError(ServiceError):
    """Base of this package's errors."""

    slug = "decision-error"
    status = 422
    title = "The decision could not be recorded"


class DecisionNotFound(DecisionError):
    slug = "not-found"
    status = 404
    title = "No decision with this id"


class DecisionRuleBroken(DecisionError):
    """A decision breaks one of the panel's rules; the message names the rule and what to change."""

    slug = "decision-rule-broken"
    status = 422
    title = "The decision breaks a panel rule"
