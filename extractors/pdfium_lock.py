"""One process-wide lock around PDFium.

PDFium (through pypdfium2) is not thread-safe, not even across different documents:
two threads of the web process reading PDFs at once crashed it (a segfault under the
8-client upload benchmark). Every entry point that may touch PDFium from a thread —
upload inspection, extraction, PDF assembly in renderers — holds this lock. Worker
processes of the job queue each have their own copy, so pages still run in parallel
across processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

PDFIUM_LOCK = threading.RLock()

PDF_MEDIA_TYPE = "application/pdf"


def pdfium_guard(media_type: str | None = PDF_MEDIA_TYPE) -> AbstractContextManager[object]:
    """Hold the PDFium lock while reading a PDF; no lock for formats PDFium never sees."""
    if media_type == PDF_MEDIA_TYPE:
        return _held()
    return nullcontext()


@contextmanager
def _held() -> Iterator[object]:
    with PDFIUM_LOCK:
        yield PDFIUM_LOCK
