"""Failures of a letters batch that retrying cannot fix, as stable slugs with fixed messages.

Shared by the batch task (which records them on the batch) and the CLI (which prints them
instead of a traceback). The messages are fixed texts: renderer and storage exception
messages are not trusted to be free of personal data.
"""

from __future__ import annotations

from billiard.exceptions import SoftTimeLimitExceeded

from renderers.errors import ConversionError, ConversionTimeout, ConverterUnavailable, RenderError
from service.letters.errors import LetterError, WordingMissing
from storage.base import StorageError

#: (exception class, slug, detail), most specific first
FAILURES: tuple[tuple[type[BaseException], str, str], ...] = (
    (SoftTimeLimitExceeded, "batch-timeout",
     "The batch ran past the job time limit (MAPDOCS_JOB_SOFT_TIME_LIMIT); raise it or run the batch again"),
    (ConversionTimeout, "conversion-timeout",
     "A document took too long to convert to PDF; run the batch again"),
    (ConverterUnavailable, "converter-unavailable",
     "LibreOffice could not be started to make the PDFs; check that it is installed"),
    (ConversionError, "conversion-failed", "LibreOffice could not convert a document to PDF"),
    (RenderError, "render-failed", "A letter template could not be rendered; check the panel's templates"),
    (WordingMissing, "wording-missing",
     "An outcome has no plain wording: add it to service/letters/outcome_wording.json"),
    (LetterError, "letters-failed", "The letters could not be made"),
    (StorageError, "storage-error", "A document could not be stored or read"),
)

#: what :func:`known_failure` recognises, for ``except`` clauses
KNOWN: tuple[type[BaseException], ...] = tuple(kind for kind, _slug, _detail in FAILURES)


def known_failure(exc: BaseException) -> tuple[str, str] | None:
    """``(slug, detail)`` of a failure retrying cannot fix, or None for anything else."""
    for kind, slug, detail in FAILURES:
        if isinstance(exc, kind):
            return slug, detail
    return None
