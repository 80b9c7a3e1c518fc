"""Scanned pages to clean, upright, deskewed greyscale images, one page at a time.

PDF pages are rasterised with PDFium at the OCR resolution (300 dpi) one page at a
time, so a 30-page scan never holds more than one page's pixels. Images already at
200 dpi or more are read at their own resolution. Every page is then made greyscale,
turned upright (0/90/180/270), deskewed (projection profile, ±5°), and its uneven
background divided out. Speckle is removed later, from the page's ink mask
(:func:`extractors.ocr.pages.despeckle`), where specks can be told from full stops by size.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageFilter, ImageOps
from scipy import ndimage

from extractors.base import ExtractionContext
from extractors.errors import ResourceLimitExceeded
from extractors.images import decoded_frames, pixel_limit

log = logging.getLogger(__name__)

#: images below this resolution are upsampled to it before OCR (by at most MAX_UPSAMPLE)
MIN_DPI = 200
MAX_UPSAMPLE = 3.0
#: pages scanned or rendered finer than MAX_WORK_DPI are read at WORK_DPI
WORK_DPI = 200
MAX_WORK_DPI = 250
#: A4 width in inches, used to guess the resolution of an image that does not say
_A4_WIDTH_IN = 8.27
MAX_SKEW = 5.0
#: darker than this before flattening: part of a dark filled bar (or heavy ink)
DARK_FILL = 140
#: darker than this (after background flattening) is ink: blurred thin ruling on a
#: 200-dpi scan bottoms out around 195, flattened shading and paper sit above 225
INK_LEVEL = 210

Gray = npt.NDArray[np.uint8]


@dataclass
class PageImage:
    """One page ready for analysis: greyscale, upright, deskewed, background flattened."""

    number: int  # 1-based
    image: Image.Image  # mode "L"
    dpi: float
    rotation: int = 0  # degrees turned clockwise to make it upright
    skew: float = 0.0  # degrees corrected
    #: dark filled bands before flattening (flattening turns a dark bar's inside to paper)
    dark: npt.NDArray[np.bool_] | None = None


# ------------------------------------------------------------------- sources


def embedded_dpi(page: pdfium.PdfPage) -> float | None:
    """Resolution of the largest image drawn on the page (a scanned page is one image)."""
    best: tuple[float, float] | None = None  # (area in points, dpi)
    try:
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            px_width, _px_height = obj.get_px_size()
            width = right - left
            if width <= 1 or px_width <= 0:
                continue
            area = width * (top - bottom)
            if best is None or area > best[0]:
                best = (area, px_width / (width / 72.0))
    except pdfium.PdfiumError:
        return None
    return best[1] if best else None


def render_pdf_page(document: pdfium.PdfDocument, index: int, dpi: int,
                    ctx: ExtractionContext) -> tuple[Image.Image, float]:
    """One PDF page as a greyscale image (pixel-limited), and the resolution used.

    A scanned page is rendered at its scan's own resolution when that lies between
    200 dpi and ``dpi`` (upsampling a 200-dpi scan adds OCR time, not detail);
    otherwise at ``dpi``.
    """
    page = document[index]
    try:
        width, height = page.get_size()
        own = embedded_dpi(page)
        if own is not None and MIN_DPI - 1 <= own < dpi:
            dpi = round(own)
        scale = dpi / 72.0
        if width * scale * height * scale > pixel_limit(ctx):
            raise ResourceLimitExceeded("A page is larger than mapdocs rasterises")
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            image = bitmap.to_pil().convert("L")
        finally:
            bitmap.close()
    finally:
        page.close()
    return image, float(dpi)


def image_frames(data: bytes, ctx: ExtractionContext, *,
                 first: int = 0) -> Iterator[tuple[Image.Image, float]]:
    """Each frame of a PNG/JPEG/TIFF from ``first`` as (greyscale image, dpi), after the header check."""
    for index, image in decoded_frames(data, ctx, first=first):
        frame = ImageOps.exif_transpose(image) if index == 0 else image
        yield _greyscale(frame), _dpi_of(frame)


def _greyscale(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        background.alpha_composite(image.convert("RGBA"))
        return background.convert("L")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        array = np.asarray(image.convert("F"), dtype=np.float32)
        top = float(array.max()) or 1.0
        return Image.fromarray((array * (255.0 / top)).astype(np.uint8))
    return image.convert("L")


def _dpi_of(image: Image.Image) -> float:
    """The frame's resolution; guessed from an A4 width when the file does not say."""
    info = image.info.get("dpi")
    dpi = 0.0
    if isinstance(info, tuple) and info:
        try:
            dpi = float(info[0])
        except (TypeError, ValueError):
            dpi = 0.0
    guess = max(image.size) / (_A4_WIDTH_IN * 297 / 210) if image.size[1] >= image.size[0] else \
        max(image.size) / (_A4_WIDTH_IN * 297 / 210)
    if not 50 <= dpi <= 1200:
        dpi = guess
    return dpi


# ------------------------------------------------------------------- cleaning


def prepare(image: Image.Image, dpi: float, number: int) -> PageImage:
    """Upright, deskewed, flattened greyscale page."""
    if dpi < MIN_DPI:
        factor = min(MIN_DPI / dpi, MAX_UPSAMPLE)
        image = image.resize((round(image.width * factor), round(image.height * factor)),
                             Image.Resampling.BICUBIC)
        dpi *= factor
    if dpi > MAX_WORK_DPI:
        # 10-pt print has all the detail OCR and box finding need at 200 dpi; at 300 dpi
        # every step costs more than twice as much
        factor = WORK_DPI / dpi
        image = image.resize((round(image.width * factor), round(image.height * factor)),
                             Image.Resampling.BOX)
        dpi = WORK_DPI
    rotation = quarter_turn(image)
    if rotation:
        image = image.rotate(-rotation, expand=True, fillcolor=255)
    skew = skew_angle(image)
    if abs(skew) >= 0.05:
        image = image.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    dark = np.asarray(image, dtype=np.uint8) < DARK_FILL
    image = flatten_background(image, dpi)
    return PageImage(number=number, image=image, dpi=dpi, rotation=rotation, skew=skew, dark=dark)


def flatten_background(image: Image.Image, dpi: float) -> Image.Image:
    """Divide every pixel by the local paper level so paper and cell shading read white.

    The paper level is the brightest pixel within about 6 pt (computed at half
    resolution, then smoothed): wider than any letter stroke, so ink stays dark,
    narrower than a shaded bar, so shading, copier gradients and photographed
    lighting all flatten to white while thin grey ruling keeps its contrast.
    """
    half = image.reduce(2) if min(image.size) >= 400 else image
    window = max(3, int(6.0 * dpi / 72.0 / (image.width / half.width))) | 1
    paper = ndimage.maximum_filter(np.asarray(half, dtype=np.uint8), size=window)
    paper_image = Image.fromarray(paper).filter(ImageFilter.BoxBlur(2)).resize(image.size,
                                                                                 Image.Resampling.BILINEAR)
    pixels = np.asarray(image, dtype=np.uint16)
    level = np.maximum(np.asarray(paper_image, dtype=np.uint16), 48)
    flat = np.minimum(pixels * 255 // level, 255).astype(np.uint8)
    return Image.fromarray(flat)


def ink_mask(image: Image.Image, threshold: int | None = None) -> npt.NDArray[np.bool_]:
    """Dark pixels (ink): Otsu's threshold, kept between grey cell shading and thin grey ruling."""
    gray = np.asarray(image, dtype=np.uint8)
    level = threshold if threshold is not None else INK_LEVEL
    return gray < level


def _small_ink(image: Image.Image, width: int = 600) -> Image.Image:
    """A reduced binary-ish copy for cheap angle tests (ink white on black)."""
    factor = max(1, image.width // width)
    small = image.reduce(factor)
    return small.point([255 if v < 160 else 0 for v in range(256)])


def _profile_score(image: Image.Image) -> float:
    rows = np.asarray(image, dtype=np.float32).sum(axis=1)
    return float(np.square(np.diff(rows)).sum())


def quarter_turn(image: Image.Image) -> int:
    """0 or 90 from projection profiles: text lines and ruling run along a page's rows.

    Each way is scored at its best angle within the skew range: a page skewed by 4°
    smears its row profile so much that, taken straight, the columns of its table
    rules won and an upright page was turned on its side.
    Upside-down pages look the same to a profile; :mod:`extractors.ocr.pages` catches
    them from OCR confidence and asks Tesseract's orientation detection.
    """
    small = _small_ink(image, 300)
    upright = _best_profile_score(small)
    turned = _best_profile_score(small.transpose(Image.Transpose.ROTATE_90))
    return 90 if turned > upright * 1.5 else 0


def _best_profile_score(picture: Image.Image) -> float:
    return max(_profile_score(picture.rotate(float(angle), resample=Image.Resampling.NEAREST))
               for angle in np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 1.0))


def skew_angle(image: Image.Image) -> float:
    """Counter-clockwise degrees that straighten the page (projection profile, ±5°)."""
    rough = _small_ink(image, 400)
    small = _small_ink(image, 800)

    def score(picture: Image.Image, angle: float) -> float:
        return _profile_score(picture.rotate(angle, resample=Image.Resampling.NEAREST))

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=lambda a: score(rough, float(a)))
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=lambda a: score(small, float(a)))
    return round(float(fine), 2)
