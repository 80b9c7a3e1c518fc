"""Scanned forms: PNG, JPEG, TIFF and PDFs with pages that carry no usable text layer.

Registered as ``scan``. Each page becomes the same :class:`~extractors.words.PageWords`
a printed PDF gives (text pages of a mixed PDF through PDFium's words, image pages
through :mod:`extractors.ocr`), then :func:`extractors.page_layout.build_layout` and
the label reader do the rest, exactly as for printed PDFs.

Pages are read one at a time (one page's pixels in memory). Whether the document is
an assessment form at all is decided from its first pages before the rest is OCR'd:
a long report must not cost a page of OCR per page.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from extractors import base
from extractors.base import ExtractionContext, ExtractionResult, Issue
from extractors.errors import (
    DamagedDocument,
    ExtractionError,
    ExtractionTimeout,
    NotAnAssessmentForm,
    ResourceLimitExceeded,
)
from extractors.images import JPEG, PNG, TIFF
from extractors.layout import Layout
from extractors.ocr import prepare
from extractors.ocr.pages import scan_page
from extractors.page_layout import build_layout
from extractors.pdf_text import PDF, open_pdf
from extractors.sniff import sniff_media_type
from extractors.words import PageWords, page_words_from_pdfium

log = logging.getLogger(__name__)

NAME = "scan"
VERSION = "2"
#: a PDF page with fewer printed characters than this is a scanned page
MIN_PAGE_CHARS = 20
#: pages OCR'd before deciding whether the document is a form at all
PROBE_PAGES = 2
#: core sections the first pages must show for the rest to be read
MIN_PROBE_HITS = 1
#: confidence of an empty single answer on a scan (below the review threshold)
BLANK_ANSWER_CONFIDENCE = 0.75


class BlankScan(NotAnAssessmentForm):
    title = "The scan is blank: no text layer could be recognised on any page"


def _text_chars(page: pdfium.PdfPage) -> int:
    textpage = page.get_textpage()
    try:
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        text = textpage.get_text_range() if count > 0 else ""
    finally:
        textpage.close()
    return sum(1 for ch in text if not ch.isspace())


def scanned_pages(data: bytes, ctx: ExtractionContext) -> list[int]:
    """0-based indexes of a PDF's pages without a usable text layer."""
    with open_pdf(data, ctx.password) as document:
        out: list[int] = []
        for index in range(min(len(document), ctx.max_pages)):
            page = document[index]
            try:
                if _text_chars(page) < MIN_PAGE_CHARS:
                    out.append(index)
            finally:
                page.close()
        return out


def _ocr(image_and_dpi: tuple[Image.Image, float], number: int, ctx: ExtractionContext) -> PageWords:
    image, dpi = image_and_dpi
    page = prepare.prepare(image, dpi, number)
    return scan_page(page, ctx).words


def _pdf_pages(data: bytes, ctx: ExtractionContext) -> Iterator[PageWords]:
    with open_pdf(data, ctx.password) as document:
        count = len(document)
        if count > ctx.max_pages:
            raise ResourceLimitExceeded(f"The document has more than {ctx.max_pages} pages")
        for index in range(count):
            page = document[index]
            try:
                text_page = _text_chars(page) >= MIN_PAGE_CHARS
                words = page_words_from_pdfium(page, index + 1) if text_page else None
            finally:
                page.close()
            if words is None:
                words = _ocr(prepare.render_pdf_page(document, index, ctx.ocr_dpi, ctx), index + 1, ctx)
            yield words


def _image_pages(data: bytes, ctx: ExtractionContext) -> Iterator[PageWords]:
    for index, frame in enumerate(prepare.image_frames(data, ctx)):
        yield _ocr(frame, index + 1, ctx)


def looks_like_a_form(pages: list[PageWords]) -> bool:
    """Whether the first pages show any section of an assessment form."""
    from extractors.reader import form_signals

    return form_signals(build_layout(pages, "ocr")) >= MIN_PROBE_HITS


def scan_layout(data: bytes, media_type: str, ctx: ExtractionContext) -> Layout:
    """Every page as page words (OCR where needed), then rows, stopping early for non-forms."""
    source = _pdf_pages(data, ctx) if media_type == PDF else _image_pages(data, ctx)
    pages: list[PageWords] = []
    probed = False
    for words in source:
        pages.append(words)
        if not probed and len(pages) == PROBE_PAGES:
            probed = True
            if not looks_like_a_form(pages):
                raise NotAnAssessmentForm("The first pages do not carry the sections of an assessment form")
    if not any(page.words for page in pages):
        raise BlankScan()
    return build_layout(pages, "ocr")


def record_from_pages(pages: list[PageWords]) -> ExtractionResult:
    """The one way a scan's page words become a record.

    Used by the one-pass reader and the page-by-page job alike, so both give the same
    record: rows, label reading, then the scan's own review flags.
    """
    if not any(page.words for page in pages):
        raise BlankScan()
    return record_from_layout(build_layout(pages, "ocr"))


def record_from_layout(layout: Layout) -> ExtractionResult:
    from extractors.reader import read_layout

    result = read_layout(layout, extractor=NAME, version=VERSION)
    return flag_unforgiving_values(flag_blank_answers(result))


@base.register
class ScanExtractor:
    """Scanned forms; outscores ``image`` for images and ``pdf-text`` for PDFs with image pages."""

    name = NAME
    version = VERSION
    media_types: tuple[str, ...] = (PDF, PNG, JPEG, TIFF)

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        if media_type in (PNG, JPEG, TIFF):
            return 0.3
        if media_type != PDF:
            return 0.0
        try:
            return 0.6 if scanned_pages(data, ctx) else 0.0
        except ExtractionTimeout:
            raise  # the caller's time limit, not a reason to let another reader try
        except ExtractionError:
            return 0.0

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        with reading_failures():
            layout = scan_layout(data, sniff_media_type(data), ctx)
        return record_from_layout(layout)


@contextlib.contextmanager
def reading_failures() -> Iterator[None]:
    """Vendor failures while reading pages become extraction errors; they must not escape this module.

    Shared by the one-pass reader and the page tasks (:mod:`service.jobs.page_reader`),
    so a page that breaks Pillow or PDFium is ``damaged-document`` on either path.
    """
    try:
        yield
    except ExtractionError:
        raise
    except (RecursionError, MemoryError):
        raise ResourceLimitExceeded() from None
    except Exception as exc:
        log.warning("scan failed: %s", type(exc).__name__)
        raise DamagedDocument() from None


def _blank_paths(node: object, prefix: str = "") -> Iterator[str]:
    """Paths of the record's single answers (outside lists) that came out empty."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if value is None:
                yield path
            elif isinstance(value, dict):
                yield from _blank_paths(value, path)


def flag_blank_answers(result: ExtractionResult) -> ExtractionResult:
    """Mark every empty single answer of a scan for review.

    On a digital form an empty field is empty; on a scan it may also be an answer the
    OCR lost (a value in a cell whose ruling was not recovered, faint handwriting, a
    section heading misread), so a scan's blanks are "please check", not "certainly
    blank". List entries are left alone: an absent row has no path to flag.
    """
    if result.record is None:
        return result
    for path in _blank_paths(result.record):
        if path in ("schema_version",):
            continue
        current = result.confidence.get(path, 1.0)
        if current >= BLANK_ANSWER_CONFIDENCE:
            result.confidence[path] = BLANK_ANSWER_CONFIDENCE
            if not any(issue.path == path for issue in result.issues):
                result.issues.append(Issue(path=path, severity="warning", code="blank-on-scan",
                                           message="Nothing was read here from the scan; check the original"))
    return result


#: values OCR cannot be trusted to read unaided: no dictionary word and no check digit
#: catches one misread letter ("rn" read as "m" turns one valid address into another)
UNFORGIVING_SUFFIXES = (".email",)
UNFORGIVING_CONFIDENCE = 0.75


def flag_unforgiving_values(result: ExtractionResult) -> ExtractionResult:
    """Mark OCR'd values without redundancy (email addresses) for review, however sure the OCR was."""
    for path, value_confidence in list(result.confidence.items()):
        if path.endswith(UNFORGIVING_SUFFIXES) and value_confidence > UNFORGIVING_CONFIDENCE:
            result.confidence[path] = UNFORGIVING_CONFIDENCE
            if not any(issue.path == path for issue in result.issues):
                result.issues.append(Issue(path=path, severity="warning", code="ocr-unverifiable",
                                           message="Read from a scan with nothing to check it against; "
                                                   "compare with the original"))
    return result
