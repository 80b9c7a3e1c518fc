"""Images: dimensions from headers, bombs refused before decoding, frames handed to the OCR hook."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from extractors import images, pipeline
from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, NotAnAssessmentForm, ResourceLimitExceeded, UnsafeDocument

CTX = ExtractionContext()


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk only: enough to declare a size, nothing to decode."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg_header(width: int, height: int) -> bytes:
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8\xff\xe0\x00\x04\x00\x00\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def tiff(frames: list[tuple[int, int]], order: str = "<") -> bytes:
    """A classic TIFF whose IFDs declare the given sizes (the strips are not needed to sniff)."""
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    out = bytearray(magic + struct.pack(order + "I", 8))
    for index, (width, height) in enumerate(frames):
        start = len(out)
        next_offset = start + 2 + 2 * 12 + 4 if index < len(frames) - 1 else 0
        out += struct.pack(order + "H", 2)
        out += struct.pack(order + "HHII", 256, 4, 1, width)
        out += struct.pack(order + "HHIHH", 257, 3, 1, height, 0) if order == ">" else \
            struct.pack(order + "HHII", 257, 3, 1, height)
        out += struct.pack(order + "I", next_offset)
    return bytes(out)


def test_sizes_match_pillow_for_real_images() -> None:
    picture = Image.new("RGB", (123, 45), "white")
    for fmt in ("PNG", "JPEG", "TIFF"):
        data = encode(picture, fmt)
        assert images.frame_sizes(data) == [(123, 45)], fmt


def test_multi_frame_tiff_counts_every_frame() -> None:
    frames = [Image.new("L", (30 + n, 20), 255) for n in range(3)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    assert images.frame_sizes(data) == [(30, 20), (31, 20), (32, 20)]
    assert images.inspect_image(data, CTX) == 3


@pytest.mark.parametrize("order", ["<", ">"])
def test_tiff_both_byte_orders(order: str) -> None:
    assert images.frame_sizes(tiff([(640, 480), (10, 20)], order)) == [(640, 480), (10, 20)]


def test_tiff_ifd_loop_is_followed_once() -> None:
    data = bytearray(tiff([(10, 10), (20, 20)]))
    data[-4:] = struct.pack("<I", 8)  # the last IFD points back to the first
    assert images.frame_sizes(bytes(data)) == [(10, 10), (20, 20)]


@pytest.mark.parametrize("data", [png_header(20000, 20000), jpeg_header(20000, 20000),
                                  tiff([(100, 100), (20000, 20000)])])
def test_pixel_bomb_is_refused_from_the_header(data: bytes) -> None:
    with pytest.raises(ResourceLimitExceeded):
        images.inspect_image(data, CTX)
    with pytest.raises(ResourceLimitExceeded):
        pipeline.extract(data, CTX)


def test_limit_never_exceeds_pillows_own_bomb_threshold() -> None:
    generous = ExtractionContext(max_image_pixels=10**12)
    assert Image.MAX_IMAGE_PIXELS
    assert images.pixel_limit(generous) == Image.MAX_IMAGE_PIXELS
    with pytest.raises(ResourceLimitExceeded):  # no DecompressionBombWarning escapes
        images.inspect_image(png_header(20000, 20000), generous)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xd8\xff\xe0\x00\x10JF",
                                  b"II*\x00\xff\xff\xff\x7f", png_header(0, 10)])
def test_broken_headers_are_damaged(data: bytes) -> None:
    with pytest.raises(DamagedDocument):
        images.inspect_image(data, CTX)


def test_truncated_pixels_pass_inspection_but_not_extraction() -> None:
    data = encode(Image.effect_noise((200, 200), 50).convert("RGB"), "PNG")
    truncated = data[: len(data) // 2]
    assert images.inspect_image(truncated, CTX) == 1
    with pytest.raises(DamagedDocument):
        pipeline.extract(truncated, CTX)


def test_image_without_ocr_is_not_an_assessment_form() -> None:
    """A blank image goes to the scan extractor; nothing is recognised: a blank scan, not a form."""
    from extractors.scan import BlankScan

    data = encode(Image.new("RGB", (50, 50), "white"), "PNG")
    with pytest.raises(NotAnAssessmentForm, match="text layer") as raised:
        pipeline.extract(data, CTX)
    assert isinstance(raised.value, BlankScan)
    assert raised.value.slug == "not-an-assessment-form"


def test_every_frame_reaches_the_ocr_hook() -> None:
    seen: list[tuple[int, tuple[int, int]]] = []

    class Recording(images.ImageExtractor):
        def ocr(self, frame: Image.Image, index: int, ctx: ExtractionContext) -> list[images.OcrWord]:
            seen.append((index, frame.size))
            return []

    frames = [Image.new("L", (40, 30 + n), 255) for n in range(3)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(NotAnAssessmentForm):
        Recording().extract(data, CTX)
    assert seen == [(0, (40, 30)), (1, (40, 31)), (2, (40, 32))]


def test_frames_beyond_max_pages_are_not_decoded() -> None:
    frames = [Image.new("L", (8, 8), 255) for _ in range(5)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    decoded = list(images.ImageExtractor().frames(data, ExtractionContext(max_pages=2)))
    assert [index for index, _frame in decoded] == [0, 1]


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "error"), [
    ("pillow__png_decompression_dos.png", UnsafeDocument),
    ("pillow__truncated_jpeg.jpg", DamagedDocument),
    ("pillow__libtiff_segfault.tif", DamagedDocument),
])
def test_hostile_corpus_images(shared_dir: Path, name: str, error: type[Exception]) -> None:
    path = shared_dir / "corpus" / "realworld" / name
    if not path.exists():
        pytest.skip(f"{name} not in this corpus")
    with pytest.raises(error):
        pipeline.extract(path.read_bytes(), CTX)


@pytest.mark.corpus
def test_junk_before_a_jpeg_marker_is_skipped(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "realworld" / "pillow__junk_jpeg_header.jpg"
    if not path.exists():
        pytest.skip("file not in this corpus")
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert images.frame_sizes(data) == [image.size]
