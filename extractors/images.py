"""Scanned forms as PNG, JPEG or TIFF: checked from their headers, opened under a pixel limit.

Inspection reads image dimensions straight from the file headers (PNG ``IHDR``, JPEG
``SOFn``, every TIFF/BigTIFF IFD) so that a decompression bomb is refused before
Pillow allocates anything. The extractor then opens each frame with Pillow and hands
it to :meth:`ImageExtractor.ocr`. Until the scanned-forms issue plugs OCR in there,
no words come back and the image is reported as not (yet) readable as a form.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from PIL import Image

from extractors.base import ExtractionContext, ExtractionResult, register
from extractors.errors import (
    DamagedDocument,
    ExtractionError,
    NotAnAssessmentForm,
    ResourceLimitExceeded,
    UnsafeDocument,
)

PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

#: an IFD chain longer than this is an attack, not a scan (loops are caught separately)
MAX_TIFF_FRAMES = 1_000
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
# TIFF field type -> (struct code, size)
_TIFF_TYPES = {3: ("H", 2), 4: ("I", 4), 16: ("Q", 8)}


@dataclass(frozen=True)
class OcrWord:
    """One recognised word on a frame, in pixels from the top-left, with 0..1 confidence."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float


# --- headers --------------------------------------------------------------------------------------


def frame_sizes(data: bytes) -> list[tuple[int, int]]:
    """(width, height) of every frame, read from headers only; ``DamagedDocument`` if unreadable."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return [_png_size(data)]
        if data.startswith(b"\xff\xd8"):
            return [_jpeg_size(data)]
        if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            return _tiff_sizes(data)
    except (struct.error, IndexError, ValueError):
        raise DamagedDocument("The image header is damaged") from None
    raise DamagedDocument("The image header is not PNG, JPEG or TIFF")


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise ValueError("no IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            # extraneous bytes before a marker: decoders skip them ("corrupt JPEG data"), so do we
            pos = data.index(b"\xff", pos)
        while data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 3:pos + 7])
            return width, height
        pos += length
    raise ValueError("no SOF")


def _tiff_sizes(data: bytes) -> list[tuple[int, int]]:
    order = "<" if data[:2] == b"II" else ">"
    big = struct.unpack(order + "H", data[2:4])[0] == 43
    offset = struct.unpack(order + ("Q" if big else "I"), data[8:16] if big else data[4:8])[0]
    sizes: list[tuple[int, int]] = []
    seen: set[int] = set()
    while offset and offset not in seen:
        if len(sizes) >= MAX_TIFF_FRAMES:
            raise ResourceLimitExceeded("The TIFF has more frames than mapdocs reads")
        seen.add(offset)
        width, height, offset = _tiff_ifd(data, offset, order, big)
        sizes.append((width, height))
    if not sizes:
        raise ValueError("no IFD")
    return sizes


def _tiff_ifd(data: bytes, offset: int, order: str, big: bool) -> tuple[int, int, int]:
    """Width, height and next-IFD offset of the IFD at ``offset``."""
    count_code, entry_size, head = ("Q", 20, 8) if big else ("H", 12, 2)
    (count,) = struct.unpack(order + count_code, data[offset:offset + head])
    values: dict[int, int] = {}
    for index in range(count):
        entry = offset + head + index * entry_size
        tag, kind = struct.unpack(order + "HH", data[entry:entry + 4])
        if tag in (256, 257) and kind in _TIFF_TYPES:
            code, size = _TIFF_TYPES[kind]
            value_at = entry + (12 if big else 8)
            (values[tag],) = struct.unpack(order + code, data[value_at:value_at + size])
    after = offset + head + count * entry_size
    next_code, next_size = ("Q", 8) if big else ("I", 4)
    (next_offset,) = struct.unpack(order + next_code, data[after:after + next_size])
    if 256 not in values or 257 not in values:
        raise ValueError("frame without dimensions")
    return values[256], values[257], next_offset


def pixel_limit(ctx: ExtractionContext) -> int:
    """The configured limit, never above Pillow's own bomb threshold.

    Staying under Pillow's threshold means Pillow never emits its
    ``DecompressionBombWarning``, which a warnings-as-errors setting would turn into
    an exception at an arbitrary point of decoding.
    """
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return min(ctx.max_image_pixels, int(pillow_limit)) if pillow_limit else ctx.max_image_pixels


def check_pixels(sizes: list[tuple[int, int]], ctx: ExtractionContext) -> None:
    limit = pixel_limit(ctx)
    for width, height in sizes:
        if width <= 0 or height <= 0:
            raise DamagedDocument("The image has no pixels")
        if width * height > limit:
            raise ResourceLimitExceeded("The image has more pixels than mapdocs allows")


def inspect_image(data: bytes, ctx: ExtractionContext) -> int:
    """Check the header dimensions, then let Pillow identify the file; return the frame count."""
    sizes = frame_sizes(data)
    check_pixels(sizes, ctx)
    with _pillow_errors(), Image.open(BytesIO(data)) as image:
        image.size  # noqa: B018  (opening parsed the header; nothing is decoded)
    return len(sizes)


@contextmanager
def _pillow_errors() -> Iterator[None]:
    """Translate whatever Pillow raises on a hostile image into an ``ExtractionError``."""
    try:
        yield
    except ExtractionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ResourceLimitExceeded("The image has more pixels than mapdocs allows") from None
    except MemoryError:
        raise ResourceLimitExceeded("Decoding the image needs more memory than mapdocs allows") from None
    except ValueError as exc:
        if "decompressed" in str(exc).lower():
            # a PNG text chunk that inflates past Pillow's limit: a decompression bomb
            raise UnsafeDocument("The image carries a chunk that inflates like a bomb") from None
        raise DamagedDocument("The image is damaged or truncated") from None
    except Exception:  # noqa: BLE001  (hostile input: Pillow plugins raise many types)
        raise DamagedDocument("The image is damaged or truncated") from None


# --- extractor ------------------------------------------------------------------------------------


def decoded_frames(data: bytes, ctx: ExtractionContext, *,
                   first: int = 0) -> Iterator[tuple[int, Image.Image]]:
    """Each frame from ``first`` (up to ``ctx.max_pages``) as (index, decoded image), after the header check.

    The image is the open Pillow object seeked to that frame: use it before asking for the next.
    Frames before ``first`` are skipped by seeking, never decoded (a page task reading page 20
    of a TIFF decodes one frame, not twenty). Shared by the image extractor and OCR
    preparation so both refuse oversized frames alike.
    """
    sizes = frame_sizes(data)
    check_pixels(sizes, ctx)
    with _pillow_errors(), Image.open(BytesIO(data)) as image:
        count = min(getattr(image, "n_frames", 1), len(sizes), ctx.max_pages)
        for index in range(first, count):
            image.seek(index)
            width, height = image.size
            if width * height > pixel_limit(ctx):
                raise ResourceLimitExceeded("The image has more pixels than mapdocs allows")
            image.load()
            yield index, image


@register
class ImageExtractor:
    """Scanned forms. Scores low so that any future reader that understands the image wins."""

    name: str = "image"
    version: str = "0.1.0"
    media_types: tuple[str, ...] = (PNG, JPEG, TIFF)

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        return 0.1 if media_type in self.media_types else 0.0

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        words: list[list[OcrWord]] = []
        for index, frame in self.frames(data, ctx):
            words.append(self.ocr(frame, index, ctx))
        if not any(words):
            raise NotAnAssessmentForm("No text layer could be read from this image; "
                                      "scanned forms are read once OCR is enabled")
        # reached only once ``ocr`` returns words: the scanned-forms issue turns them into a Layout
        raise NotAnAssessmentForm("Reading forms from recognised words is not available yet")

    def frames(self, data: bytes, ctx: ExtractionContext) -> Iterator[tuple[int, Image.Image]]:
        """Each frame (at most ``ctx.max_pages``), decoded, after the header pixel check."""
        return decoded_frames(data, ctx)

    def ocr(self, frame: Image.Image, index: int, ctx: ExtractionContext) -> list[OcrWord]:
        """Words recognised on one frame. No OCR engine is wired in yet, so none are."""
        return []
