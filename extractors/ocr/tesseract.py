"""The one wrapper around the external ``tesseract`` program.

It builds the argument list, runs one single-threaded process with a timeout
(``OMP_THREAD_LIMIT=1``: measured here, OpenMP threads double the CPU for no gain
when pages are spread over workers), checks the installed version once, and parses
the TSV output into words with pixel boxes and 0..1 confidences. Failures become
:mod:`extractors.errors` subclasses carrying the exit code; nothing above this module
sees ``subprocess``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO

from PIL import Image

from extractors.errors import ExtractionError, ExtractionTimeout

log = logging.getLogger(__name__)

MIN_VERSION = (4, 1)
#: seconds one page may take before the process is killed
DEFAULT_TIMEOUT = 60.0
_VERSION = re.compile(r"tesseract\s+v?(\d+)\.(\d+)")


class OcrError(ExtractionError):
    """Tesseract could not read a page."""

    slug = "ocr-failed"
    title = "The scanned page could not be read by the text recogniser"

    def __init__(self, detail: str | None = None, returncode: int | None = None) -> None:
        super().__init__(detail)
        self.returncode = returncode


class OcrUnavailable(OcrError):
    slug = "ocr-unavailable"
    status = 503
    title = "The text recogniser (Tesseract) is not installed or too old; install tesseract-ocr"


class OcrTimeout(ExtractionTimeout):
    title = "Recognising the text of a scanned page took too long and was stopped"


@dataclass(frozen=True, slots=True)
class TessWord:
    """One recognised word in pixels from the image's top-left, confidence 0..1."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int = 0
    line: int = 0


def _binary() -> str:
    path = shutil.which("tesseract")
    if path is None:
        raise OcrUnavailable()
    return path


@functools.cache
def version() -> tuple[int, int]:
    """The installed Tesseract's (major, minor); ``OcrUnavailable`` when missing or too old."""
    try:
        completed = subprocess.run([_binary(), "--version"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        raise OcrUnavailable() from None
    match = _VERSION.search((completed.stdout + completed.stderr).decode("utf-8", "replace"))
    if match is None:
        raise OcrUnavailable("The installed Tesseract did not report its version")
    found = (int(match.group(1)), int(match.group(2)))
    if found < MIN_VERSION:
        raise OcrUnavailable(f"Tesseract {found[0]}.{found[1]} is too old; 4.1 or later is needed")
    return found


def argv(psm: int, dpi: int, languages: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The command line: image on stdin, TSV on stdout, LSTM engine, one page mode."""
    if not re.fullmatch(r"[A-Za-z_]+(\+[A-Za-z_]+)*", languages):
        raise OcrError("The OCR language setting is not valid")
    return [_binary(), "stdin", "stdout", "--oem", "1", "--psm", str(int(psm)), "--dpi", str(int(dpi)),
            "-l", languages, *extra, "tsv"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TESSDATA_PREFIX")}
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _encode(image: Image.Image) -> bytes:
    """Uncompressed PNM: the cheapest format to write and for Leptonica to read."""
    buffer = BytesIO()
    image.save(buffer, format="PPM")
    return buffer.getvalue()


def _execute(command: list[str], image: Image.Image, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run Tesseract on ``image`` via stdin; a timeout or a missing program becomes an OcrError."""
    try:
        return subprocess.run(command, input=_encode(image), capture_output=True, timeout=timeout,
                              env=_environment(), check=False)
    except subprocess.TimeoutExpired:
        raise OcrTimeout() from None
    except OSError:
        raise OcrUnavailable() from None


def run(image: Image.Image, *, psm: int = 11, dpi: int = 300, languages: str = "eng",
        timeout: float = DEFAULT_TIMEOUT, extra: tuple[str, ...] = ()) -> str:
    """Run Tesseract on one greyscale image and return its raw TSV."""
    version()
    command = argv(psm, dpi, languages, extra)
    completed = _execute(command, image, timeout)
    if completed.returncode != 0:
        log.warning("tesseract exited with %d", completed.returncode)
        raise OcrError(returncode=completed.returncode)
    return completed.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> list[TessWord]:
    """Word rows (level 5) of Tesseract's TSV; empty and whitespace words dropped."""
    words: list[TessWord] = []
    for line in tsv.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = parts[11].strip()
        if not text:
            continue
        try:
            left, top, width, height = (int(p) for p in parts[6:10])
            conf = float(parts[10])
            block, line_no = int(parts[2]), int(parts[4])
        except ValueError:
            continue
        words.append(TessWord(text, left, top, width, height, max(0.0, min(conf, 100.0)) / 100.0,
                              block, line_no))
    return words


#: no second pass over low-confidence lines as white-on-black: dark bars are inverted
#: before OCR, and the pass costs about a tenth of the page's time
NO_INVERT = ("-c", "tessedit_do_invert=0")


def words(image: Image.Image, *, psm: int = 11, dpi: int = 300, languages: str = "eng",
          timeout: float = DEFAULT_TIMEOUT) -> list[TessWord]:
    """Recognised words of one image."""
    return parse_tsv(run(image, psm=psm, dpi=dpi, languages=languages, timeout=timeout, extra=NO_INVERT))


def orientation(image: Image.Image, *, dpi: int = 300, timeout: float = DEFAULT_TIMEOUT) -> int | None:
    """Clockwise degrees the page must be rotated to read upright (OSD), or None when unsure."""
    version()
    command = [_binary(), "stdin", "stdout", "--psm", "0", "--dpi", str(int(dpi))]
    completed = _execute(command, image, timeout)
    if completed.returncode != 0:
        return None
    text = completed.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if rotate is None or conf is None or float(conf.group(1)) < 2.0:
        return None
    return int(rotate.group(1)) % 360
