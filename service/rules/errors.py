"""Errors of the rules package: one base, so callers catch ``RulesError`` without knowing the tree."""

from __future__ import annotations


class RulesError(Exception):
    """Base of every error raised by ``service.rules``."""

    status = 500


class ProfileError(RulesError):
    """A profile or panel data file is malformed; the message names the file and the bad key.

    Raised at start-up so a council's typo stops the service instead of silently
    changing how its referrals are routed.
    """

    status = 500


class UnknownPanel(RulesError):
    """No panel with the given slug is configured."""

    status = 404

    def __init__(self, slug: str) -> None:
        super().__init__(f"No panel is configured with the slug {slug!r}: check the panel list.")
        self.slug = slug
