"""OCR output kept on disk for one test run, so no process OCRs the same page twice.

The test suite reads the same scans through several paths (the corpus tests, the bad
corpus, the API, the ``mapdocs extract`` and ``python -m extractors.isolated``
subprocesses); Tesseract is most of their cost. The cache is active only when
``MAPDOCS_OCR_CACHE_DIR`` names a directory: the test session creates a fresh one,
every subprocess inherits the variable, and the session deletes the directory at its
end, so nothing is reused across runs.

Production leaves the variable unset and never caches: OCR output is the text of a
form about children, and mapdocs does not write personal data to local disk unless
it is configured to. Whoever sets the variable takes that on.

Key: sha256 of the exact image Tesseract is given (mode, size, pixels) with the
Tesseract arguments, the Tesseract version and the scan extractor's version. Value:
the recognised words as JSON. Writes go to a temporary file in the same directory
and are renamed into place, so a concurrent reader sees a whole entry or none; an
entry that cannot be read or written is simply a miss: caching never fails a page.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from PIL import Image

from extractors.ocr import tesseract

log = logging.getLogger(__name__)

ENV = "MAPDOCS_OCR_CACHE_DIR"
#: bump when the stored value's shape changes
FORMAT = 1


def directory() -> Path | None:
    """The cache directory of this run, or None (no caching) when the variable is unset."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


@functools.cache
def _extractor_version() -> str:
    # imported here: extractors.scan imports extractors.ocr.pages, which imports this module
    from extractors.scan import VERSION

    return VERSION


def key(kind: str, image: Image.Image, params: dict[str, Any]) -> str:
    """Hex sha256 naming one OCR call: its kind, arguments, versions and image pixels."""
    header = {"kind": kind, "params": params, "tesseract": list(tesseract.version()),
              "extractor": _extractor_version(), "format": FORMAT, "mode": image.mode,
              "size": list(image.size)}
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode("utf-8"))
    digest.update(image.tobytes())
    return digest.hexdigest()


def _path(folder: Path, name: str) -> Path:
    return folder / f"{name}.json"


def load(folder: Path, name: str) -> Any | None:
    """The stored value, or None when absent or unreadable."""
    try:
        return json.loads(_path(folder, name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("unreadable OCR cache entry ignored")
        return None


def store(folder: Path, name: str, value: Any) -> None:
    """Write atomically: a temporary file in the same directory renamed over the entry."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(value, out)
            Path(temporary).replace(_path(folder, name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("OCR cache entry not written (%s)", type(exc).__name__)


def words(image: Image.Image, *, psm: int, dpi: int, languages: str) -> list[tesseract.TessWord]:
    """:func:`tesseract.words`, answered from the run's cache when the same image was read."""
    folder = directory()
    if folder is None:
        return tesseract.words(image, psm=psm, dpi=dpi, languages=languages)
    name = key("words", image, {"psm": psm, "dpi": dpi, "languages": languages,
                                "extra": list(tesseract.NO_INVERT)})
    cached = load(folder, name)
    if isinstance(cached, list):
        try:
            return [tesseract.TessWord(**entry) for entry in cached]
        except TypeError:
            log.warning("OCR cache entry of another shape ignored")
    found = tesseract.words(image, psm=psm, dpi=dpi, languages=languages)
    store(folder, name, [asdict(word) for word in found])
    return found


def orientation(image: Image.Image, *, dpi: int) -> int | None:
    """:func:`tesseract.orientation`, answered from the run's cache when the same image was read."""
    folder = directory()
    if folder is None:
        return tesseract.orientation(image, dpi=dpi)
    name = key("orientation", image, {"dpi": dpi})
    cached = load(folder, name)
    if isinstance(cached, dict) and "turn" in cached:
        turn = cached["turn"]
        return int(turn) if turn is not None else None
    found = tesseract.orientation(image, dpi=dpi)
    store(folder, name, {"turn": found})
    return found
