"""The one entry point the service and CLI call: decide the media type, inspect, extract.

``inspect`` runs at upload time and refuses what must never be stored (empty,
unsupported, damaged beyond repair, unsafe); ``extract`` reads a stored document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors import base
from extractors.base import ExtractionContext, ExtractionResult, Issue
from extractors.errors import NotAnAssessmentForm, UnsupportedMediaType
from extractors.pdfium_lock import pdfium_guard
from extractors.safety import inspect_document
from extractors.sniff import sniff_media_type

ACCEPTED_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/png",
    "image/jpeg",
    "image/tiff",
)


@dataclass
class Inspection:
    """What an upload's bytes turned out to be, decided before anything is stored."""

    media_type: str
    page_count: int | None = None
    encrypted: bool = False
    issues: list[Issue] = field(default_factory=list)


def inspect(data: bytes, ctx: ExtractionContext | None = None) -> Inspection:
    """Decide the media type from the bytes and check the file is safe to keep.

    Raises ``EmptyFile``, ``UnsupportedMediaType``, ``DamagedDocument`` or
    ``UnsafeDocument``; an encrypted PDF is *accepted* (``encrypted=True``).
    """
    ctx = ctx or ExtractionContext()
    media_type = sniff_media_type(data)
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType()
    with pdfium_guard(media_type):
        report = inspect_document(data, media_type, ctx)
    return Inspection(media_type=media_type, page_count=report.page_count,
                      encrypted=report.encrypted, issues=list(report.issues))


def extract(data: bytes, ctx: ExtractionContext | None = None,
            media_type: str | None = None) -> ExtractionResult:
    """Read a referral record from ``data`` with the best-scoring registered extractor."""
    ctx = ctx or ExtractionContext()
    inspection = inspect(data, ctx) if media_type is None else None
    media_type = media_type or (inspection.media_type if inspection else "")
    import extractors.registry  # noqa: F401  (registers the built-in extractors)

    with pdfium_guard(media_type):
        candidates = [(ex.score(media_type, data, ctx), ex) for ex in base.registered()
                      if media_type in ex.media_types]
        candidates = [(score, ex) for score, ex in candidates if score > 0]
        if not candidates:
            raise NotAnAssessmentForm("No reader for this kind of document recognises it as a form")
        candidates.sort(key=lambda pair: pair[0], reverse=True)
        result = candidates[0][1].extract(data, ctx)
    if inspection:
        result.issues[:0] = inspection.issues
    return result
