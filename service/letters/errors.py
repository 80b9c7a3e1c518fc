"""One exception base for letters; each carries its HTTP status."""

from __future__ import annotations


class LetterError(Exception):
    """Base for letter building and delivery errors."""

    http_status = 500


class WordingMissing(LetterError):
    """An outcome has no plain wording: add it to service/letters/outcome_wording.json."""

    http_status = 500
