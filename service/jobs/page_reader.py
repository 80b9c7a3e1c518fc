"""The page-by-page view of the scan reader that page tasks need, and page words as JSON.

:mod:`extractors.scan` reads a scanned document in one pass. To spread its pages
across workers, the jobs need four steps of it separately:

- :func:`plan` — is this a multi-page scan, how many pages, which need OCR;
- :func:`read_page` — one page's :class:`~extractors.words.PageWords` (text layer or OCR);
- :func:`looks_like_a_form` — the probe on the first pages (a report is not OCR'd whole);
- :func:`read_pages` — all pages → layout → record, as the scan extractor does.

Each step calls the same extractor code as the one-pass reader, so both paths give
the same record. Page words travel between workers as JSON (:func:`page_to_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors import base, pipeline
from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import ExtractionError, ExtractionTimeout
from extractors.words import Box, InputBox, PageWords, Rect, Word

#: the registered extractor whose documents are split into pages
SCAN_EXTRACTOR = "scan"  # extractors.scan.NAME, without importing OCR at start-up


@dataclass(frozen=True)
class PagePlan:
    """How a document is read page by page: its page count and the pages that need OCR."""

    media_type: str
    pages: int
    ocr: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"media_type": self.media_type, "pages": self.pages, "ocr": list(self.ocr)}


def plan(data: bytes, media_type: str, ctx: ExtractionContext) -> PagePlan | None:
    """A plan when the scan reader would read this document and it has several pages; else None.

    None also for anything unusual (too many pages, an unreadable file): the one-pass
    reader then produces the proper error.
    """
    import extractors.registry  # noqa: F401  (registers the built-in extractors)
    from extractors import scan

    try:
        scored = [(ex.score(media_type, data, ctx), ex) for ex in base.registered()
                  if media_type in ex.media_types]
        scored = [(score, ex) for score, ex in scored if score > 0]
        if not scored or max(scored, key=lambda pair: pair[0])[1].name != SCAN_EXTRACTOR:
            return None
        if media_type == "application/pdf":
            from extractors.pdf_text import open_pdf

            with open_pdf(data, ctx.password) as document:
                count = len(document)
            ocr = tuple(scan.scanned_pages(data, ctx))
        else:
            from extractors.images import frame_sizes

            count = len(frame_sizes(data))
            ocr = tuple(range(count))
    except ExtractionTimeout:
        raise  # the job's time limit, not a property of the document
    except ExtractionError:
        return None
    if count < 2 or count > ctx.max_pages:
        return None
    return PagePlan(media_type=media_type, pages=count, ocr=ocr)


def probe_pages(page_plan: PagePlan) -> int:
    """How many first pages decide whether the rest is read."""
    from extractors import scan

    return min(scan.PROBE_PAGES, page_plan.pages)


def read_page(data: bytes, page_plan: PagePlan, index: int, ctx: ExtractionContext) -> PageWords:
    """Page ``index`` (0-based): its text layer, or OCR when the plan says it has none.

    Uses ``extractors.scan.read_page(data, media_type, index, ctx)`` when the scan
    reader offers it; otherwise the same steps as its one-pass reader, for one page.
    """
    from extractors import scan

    offered = getattr(scan, "read_page", None)
    if offered is not None:
        words: PageWords = offered(data, page_plan.media_type, index, ctx)
        return words
    with scan.reading_failures():
        return _read_page(data, page_plan, index, ctx)


def _read_page(data: bytes, page_plan: PagePlan, index: int, ctx: ExtractionContext) -> PageWords:
    from extractors.ocr import prepare
    from extractors.ocr.pages import scan_page

    if page_plan.media_type == "application/pdf":
        from extractors.pdf_text import open_pdf
        from extractors.words import page_words_from_pdfium

        with open_pdf(data, ctx.password) as document:
            if index not in page_plan.ocr:
                page = document[index]
                try:
                    return page_words_from_pdfium(page, index + 1)
                finally:
                    page.close()
            image, dpi = prepare.render_pdf_page(document, index, ctx.ocr_dpi, ctx)
        return scan_page(prepare.prepare(image, dpi, index + 1), ctx).words
    for image, dpi in prepare.image_frames(data, ctx, first=index):  # only frame ``index`` is decoded
        return scan_page(prepare.prepare(image, dpi, index + 1), ctx).words
    raise IndexError(index)


def looks_like_a_form(pages: Sequence[PageWords]) -> bool:
    from extractors import scan

    return scan.looks_like_a_form(list(pages))


def read_pages(data: bytes, pages: Sequence[PageWords], ctx: ExtractionContext) -> ExtractionResult:
    """The record from all pages, exactly as the scan extractor reads it (with the upload-time issues)."""
    from extractors import scan

    result = scan.record_from_pages(list(pages))
    result.issues[:0] = pipeline.inspect(data, ctx).issues
    return result


# --- page words as JSON ----------------------------------------------------------------------------

def _box(box: Box) -> list[float]:
    return [box.x0, box.top, box.x1, box.bottom]


def _unbox(values: Sequence[float]) -> Box:
    return Box(*(float(v) for v in values))


def page_to_json(page: PageWords) -> dict[str, Any]:
    return {
        "number": page.number, "width": page.width, "height": page.height,
        "words": [[w.text, _box(w.box), w.confidence, w.size, w.bold] for w in page.words],
        "rects": [[_box(r.box), r.stroked, r.filled, r.filled_dark] for r in page.rects],
        "ink": [_box(b) for b in page.ink],
        "inputs": [[_box(i.box), i.kind, list(i.lines), i.checked, i.field_name, i.confidence]
                   for i in page.inputs],
    }


def page_from_json(data: dict[str, Any]) -> PageWords:
    return PageWords(
        number=int(data["number"]), width=float(data["width"]), height=float(data["height"]),
        words=[Word(text, _unbox(box), float(conf), float(size), bool(bold))
               for text, box, conf, size, bold in data["words"]],
        rects=[Rect(_unbox(box), bool(stroked), bool(filled), bool(dark))
               for box, stroked, filled, dark in data["rects"]],
        ink=[_unbox(box) for box in data["ink"]],
        inputs=[InputBox(_unbox(box), kind, tuple(lines), checked, name, float(conf))
                for box, kind, lines, checked, name, conf in data["inputs"]],
    )
