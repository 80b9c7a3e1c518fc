"""One warm LibreOffice converter per process, started on first use and stopped at exit.

Starting LibreOffice costs about two seconds; every PDF the service renders (agendas,
packs, letters) shares this one instead of paying that per document.
"""

from __future__ import annotations

import atexit
import threading

from renderers.convert import DocxToPdfConverter

_lock = threading.Lock()
_converter: DocxToPdfConverter | None = None


def shared_converter() -> DocxToPdfConverter:
    global _converter
    with _lock:
        if _converter is None:
            _converter = DocxToPdfConverter(instances=1, timeout=60)
            atexit.register(_converter.close)
        return _converter


def close_shared_converter() -> None:
    """Stop the shared converter now (tests, worker shutdown); the next use starts a new one."""
    global _converter
    with _lock:
        if _converter is not None:
            _converter.close()
            atexit.unregister(_converter.close)
            _converter = None
