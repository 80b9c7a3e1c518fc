"""Printed and flattened PDFs with a text layer: PDFium words → rows → the label reader.

Registered as ``pdf-text``. PDFium parses each page once for both characters and
ruling (see :mod:`extractors.words`); it never runs a document's JavaScript. Every
PDFium failure is translated here into an :mod:`extractors.errors` exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium

from extractors import base
from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import (
    DamagedDocument,
    EncryptedDocument,
    ExtractionError,
    NotAnAssessmentForm,
    ResourceLimitExceeded,
    WrongPassword,
)
from extractors.layout import Layout
from extractors.page_layout import build_layout
from extractors.words import PageWords, page_words_from_pdfium

log = logging.getLogger(__name__)

VERSION = "1"
PDF = "application/pdf"
#: fewer printed characters than this over all pages: no usable text layer (a scan)
MIN_TEXT_CHARS = 40

_PDFIUM_PASSWORD_ERROR = 4


@contextmanager
def open_pdf(data: bytes, password: str | None) -> Iterator[pdfium.PdfDocument]:
    """Open a PDF with PDFium, translating its errors; closes the document afterwards."""
    try:
        document = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
            if password:
                raise WrongPassword() from None
            raise EncryptedDocument() from None
        raise DamagedDocument() from None
    except (OSError, ValueError, TypeError):
        raise DamagedDocument() from None
    try:
        yield document
    finally:
        document.close()


def read_pages(document: pdfium.PdfDocument, ctx: ExtractionContext) -> list[PageWords]:
    """Page words of every page, each page loaded once."""
    count = len(document)
    if count > ctx.max_pages:
        raise ResourceLimitExceeded(f"The document has more than {ctx.max_pages} pages")
    pages: list[PageWords] = []
    for index in range(count):
        try:
            page = document[index]
            try:
                words = page_words_from_pdfium(page, index + 1)
            finally:
                page.close()
        except pdfium.PdfiumError:
            log.warning("page %d could not be read", index + 1)
            words = PageWords(number=index + 1, width=595.0, height=842.0)
        pages.append(words)
    return pages


def read_layout_of(layout: Layout, name: str, version: str) -> ExtractionResult:
    """Hand a layout to the label reader and stamp the extractor on the result."""
    from extractors.reader import read_layout  # the reader imports vocabulary data lazily

    return read_layout(layout, extractor=name, version=version)


def pdf_page_words(data: bytes, ctx: ExtractionContext) -> list[PageWords]:
    """Every page's words and ruling.

    A page whose ``char_count`` is (near) zero has no text layer: the OCR path can
    fill that page's words and keep the others, then call ``build_layout``.
    """
    with open_pdf(data, ctx.password) as document:
        return read_pages(document, ctx)


def pdf_layout(data: bytes, ctx: ExtractionContext) -> Layout:
    """The row layout of a text PDF (no widgets); raises when there is no text layer."""
    pages = pdf_page_words(data, ctx)
    if sum(p.char_count for p in pages) < MIN_TEXT_CHARS:
        raise NotAnAssessmentForm("The PDF has no usable text layer")
    return build_layout(pages, "pdf-text")


def has_text_layer(data: bytes, password: str | None, pages: int = 3) -> bool:
    """Whether the first pages carry printed text (True when it cannot be told, e.g. encrypted)."""
    try:
        with open_pdf(data, password) as document:
            chars = 0
            for index in range(min(pages, len(document))):
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    chars += textpage.count_chars()
                    textpage.close()
                finally:
                    page.close()
                if chars >= MIN_TEXT_CHARS:
                    return True
            return False
    except (ExtractionError, pdfium.PdfiumError):
        return True  # let extract() report the specific problem


@base.register
class PdfTextExtractor:
    """PDFs whose pages carry printed text (not scans, not filled AcroForms)."""

    name = "pdf-text"
    version = VERSION
    media_types: tuple[str, ...] = (PDF,)

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        """0.5 for a PDF with a text layer on its first pages, 0.1 for an image-only PDF.

        A reader of scans scoring in between is then preferred for image-only PDFs.
        """
        if media_type != PDF:
            return 0.0
        return 0.5 if has_text_layer(data, ctx.password) else 0.1

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        try:
            layout = pdf_layout(data, ctx)
        except ExtractionError:
            raise
        except (RecursionError, MemoryError):
            raise ResourceLimitExceeded() from None
        except Exception as exc:  # vendor failures must not escape this module
            log.warning("pdf-text failed: %s", type(exc).__name__)
            raise DamagedDocument() from None
        return read_layout_of(layout, self.name, self.version)
