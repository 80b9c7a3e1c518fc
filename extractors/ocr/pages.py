"""A prepared scan page → :class:`~extractors.words.PageWords`, the model printed PDFs use.

The steps, in order: ink mask and speckle removal; ruling lines and tick boxes from
pixels; an OCR copy of the page with ruling, tick boxes and the strokes joined to
them erased and light shading turned to paper (cell borders read as ``|``, ticks as
``V``, shading as noise otherwise); one single-threaded Tesseract run in sparse-text
mode, which keeps every boxed label and value where whole-page layout analysis may
drop a block (answered from :mod:`extractors.ocr.cache` when a test run already read
the same image); then words in points with their OCR confidence. A page that comes out
as mostly low-confidence text is tried upside down once (Tesseract's orientation
detection decides).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.base import ExtractionContext
from extractors.ocr import cache, tesseract
from extractors.ocr.checkboxes import Checkbox, find_checkboxes
from extractors.ocr.prepare import INK_LEVEL, PageImage, ink_mask
from extractors.ocr.regions import Mask, find_dark_bars, find_ruling
from extractors.words import Box, PageWords, Rect, Word

log = logging.getLogger(__name__)

#: Tesseract page segmentation: sparse text finds words in every box of a form
PSM = 11
#: mean word confidence below this: try the page upside down
UPSIDE_DOWN_SUSPECT = 0.55
#: lighter than this becomes paper in the OCR copy (cell shading, background noise);
#: darker pixels keep their grey so letters keep their anti-aliased edges
PAPER_LEVEL = 235
_JUNK = re.compile(r"^[\W_]+$")
#: "Page1", "Pagel": a page number glued to its word (l and I read for 1)
_PAGE_NUMBER_GLUED = re.compile(r"^(Page)([0-9lI|]{1,3})$", re.IGNORECASE)
_AS_DIGIT = str.maketrans("lI|", "111")
_STRAY_QUOTES = "\u201c\u201d\u2018\u2019\"'`"
#: ink density this many times the page's median word: bold
BOLD_WEIGHT = 1.35
_LETTERS = re.compile(r"[A-Za-z0-9]")


@dataclass
class ScannedPage:
    """A page's words plus what was found from pixels, kept for tests and diagnostics."""

    words: PageWords
    checkboxes: list[Checkbox]
    mean_confidence: float


def despeckle(ink: Mask, dpi: float) -> Mask:
    """Drop isolated specks smaller than a full stop."""
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return ink
    sizes = np.bincount(labels.ravel())
    limit = max(2, int(round((dpi / 200.0) ** 2 * 4)))
    small = sizes <= limit
    small[0] = False
    kept: Mask = ink & ~small[labels]
    return kept


def _box_outlines(shape: tuple[int, ...], boxes: list[Checkbox]) -> Mask:
    mask = np.zeros(shape, dtype=bool)
    for box in boxes:
        pad = max(2, (box.x1 - box.x0) // 6)
        mask[max(box.y0 - pad, 0):box.y1 + pad, max(box.x0 - pad, 0):box.x1 + pad] = True
    return mask


def _erase_checkboxes(ink: Mask, boxes: list[Checkbox]) -> Mask:
    """Pixels of each tick box and of the strokes joined to it (overrunning ticks)."""
    erase = np.zeros_like(ink)
    for box in boxes:
        side = box.x1 - box.x0
        pad = max(2, side // 6)
        y0, y1 = max(box.y0 - side, 0), min(box.y1 + side // 2, ink.shape[0])
        x0, x1 = max(box.x0 - side // 2, 0), min(box.x1 + side, ink.shape[1])
        window = ink[y0:y1, x0:x1]
        labels, _n = ndimage.label(window, structure=np.ones((3, 3), dtype=bool))
        core = labels[box.y0 - y0 + 0:box.y1 - y0, box.x0 - x0:box.x1 - x0]
        touching = np.unique(core)
        touching = touching[touching != 0]
        erase[y0:y1, x0:x1] |= np.isin(labels, touching)
        erase[max(box.y0 - pad, 0):box.y1 + pad, max(box.x0 - pad, 0):box.x1 + pad] = True
    return erase


def _grow(mask: Mask) -> Mask:
    """One pixel more on every side: the blurred halo of a line is erased with it."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    grown = out.copy()
    grown[:, 1:] |= out[:, :-1]
    grown[:, :-1] |= out[:, 1:]
    return grown


def ocr_image(page: PageImage, ink: Mask, erase: Mask,
              bars: list[tuple[slice, slice]] | None = None) -> Image.Image:
    """The page as Tesseract should see it: ink kept, paper, shading and ruling white.

    Inside a dark bar the light letters become black on white.
    """
    gray = np.asarray(page.image, dtype=np.uint8)
    keep = _grow(ink) & (gray < PAPER_LEVEL) & ~erase
    clean = np.where(keep, gray, np.uint8(255)).astype(np.uint8)
    for ys, xs in bars or []:
        light = ~page.dark[ys, xs] if page.dark is not None else gray[ys, xs] > 128
        clean[ys, xs] = np.where(light, np.uint8(0), np.uint8(255))
    return Image.fromarray(clean)


def to_words(found: list[tesseract.TessWord], dpi: float, boxes: list[Checkbox],
             ink: Mask | None = None) -> list[Word]:
    """Tesseract words in points; punctuation-only noise and leftovers of tick boxes dropped.

    Words whose strokes are clearly heavier than the page's usual text are marked bold,
    as a PDF's font tells row reconstruction: headings stay out of the paragraph below.
    """
    pt = 72.0 / dpi
    out: list[Word] = []
    weights = _stroke_weights(found, ink) if ink is not None else [0.0] * len(found)
    usual = sorted(weights)[len(weights) // 2] if weights else 0.0
    previous: tesseract.TessWord | None = None  # the Tesseract word behind out[-1]
    for word, weight in zip(found, weights, strict=True):
        text = _PAGE_NUMBER_GLUED.sub(lambda m: m.group(1) + " " + m.group(2).translate(_AS_DIGIT), word.text)
        if word.confidence < 0.15 and len(text) <= 4:
            continue  # Tesseract reading noise or a remnant of a rule as letters
        if (word.confidence < 0.6 and len(text) <= 2 or word.confidence < 0.5 and len(text) <= 3) \
                and text.isalpha() and text.islower():
            continue  # a speck, a tick or the edge of a bar read as "at", "ee", "cee"
        text = text.strip("_") or text
        if word.confidence < 0.85 and len(text) > 1:
            text = text.strip(_STRAY_QUOTES) or text  # a speck before a word read as a quote
        if _JUNK.match(text) and (word.confidence < 0.8 or len(text) == 1 and text in "|_~"):
            continue
        if not _LETTERS.search(text) and word.confidence < 0.5:
            continue
        box = Box(word.left * pt, word.top * pt, (word.left + word.width) * pt, (word.top + word.height) * pt)
        if any(_inside(box, cb, dpi) for cb in boxes):
            continue
        # punctuation alone ("-", "/") rarely changes a value; do not let it flag a whole cell
        confidence = max(word.confidence, 0.9) if _JUNK.match(text) else word.confidence
        bold = usual > 0 and weight > usual * BOLD_WEIGHT
        if out and previous is not None and _split_capital(previous, word, out[-1].text, text):
            # Tesseract cuts "Y ilmaz", "J ones" after a capital with a wide kerning gap
            prev = out.pop()
            text, box = prev.text + text, prev.box.union(box)
            confidence = min(prev.confidence, confidence)
        out.append(Word(text=text, box=box, confidence=confidence, size=box.height, bold=bold))
        previous = word
    return out


def _split_capital(prev: tesseract.TessWord, word: tesseract.TessWord, prev_text: str, text: str) -> bool:
    """A lone capital (not the words "A" and "I") just before a lower-case word on its line."""
    if len(prev_text) != 1 or not prev_text.isupper() or prev_text in "AI" or not text[:1].islower():
        return False
    if (prev.block, prev.line) != (word.block, word.line):
        return False
    gap = word.left - (prev.left + prev.width)
    return -2 <= gap <= word.height * 0.8


def _stroke_weights(found: list[tesseract.TessWord], ink: Mask) -> list[float]:
    """Ink per pixel of word height inside each word box: a stroke-weight measure."""
    out: list[float] = []
    for word in found:
        block = ink[word.top:word.top + word.height, word.left:word.left + word.width]
        out.append(float(block.mean()) if block.size else 0.0)
    return out


def _inside(box: Box, cb: Checkbox, dpi: float) -> bool:
    pt = 72.0 / dpi
    x0, y0, x1, y1 = cb.x0 * pt, cb.y0 * pt, cb.x1 * pt, cb.y1 * pt
    w = min(box.x1, x1) - max(box.x0, x0)
    h = min(box.bottom, y1) - max(box.top, y0)
    return w > 0 and h > 0 and w * h >= 0.5 * box.width * box.height


def scan_page(page: PageImage, ctx: ExtractionContext, *, retry_upside_down: bool = True) -> ScannedPage:
    """Ruling, tick boxes and OCR words of one prepared page."""
    ink = despeckle(ink_mask(page.image), page.dpi)
    bars = find_dark_bars(page.dark if page.dark is not None else ink, page.dpi)
    for ys, xs in bars:
        ink[ys, xs] = False
    boxes = find_checkboxes(ink, page.dpi)
    # the ruling is found without the boxes' own outlines (their sides are short vertical
    # lines), and the strokes joined to a box are erased only after the ruling is known:
    # a tick that touches a table rule must not take the rule with it
    ruling = find_ruling(ink & ~_box_outlines(ink.shape, boxes), page.dpi,
                         np.asarray(page.image, dtype=np.uint8))
    box_ink = _erase_checkboxes(ink & ~ruling.mask, boxes)
    erase = _grow(ruling.mask | box_ink)
    image = ocr_image(page, ink, erase, bars)
    ocr_ink = np.asarray(image, dtype=np.uint8) < INK_LEVEL
    found = cache.words(image, psm=PSM, dpi=round(page.dpi), languages=ctx.ocr_languages)
    mean = sum(w.confidence for w in found) / len(found) if found else 0.0
    if retry_upside_down and found and mean < UPSIDE_DOWN_SUSPECT:
        turn = cache.orientation(page.image, dpi=round(page.dpi))
        if turn in (90, 180, 270):
            log.info("page %d turned %d degrees after orientation detection", page.number, turn)
            dark = None if page.dark is None else np.rot90(page.dark, k=-turn // 90).copy()
            turned = PageImage(page.number, page.image.rotate(-turn, expand=True, fillcolor=255), page.dpi,
                               (page.rotation + turn) % 360, page.skew, dark)
            return scan_page(turned, ctx, retry_upside_down=False)
    pt = 72.0 / page.dpi
    # a dark bar is a filled cell, as its rectangle is in a printed PDF
    bar_rects = [Rect(Box(xs.start * pt, ys.start * pt, xs.stop * pt, ys.stop * pt), stroked=False,
                      filled=True, filled_dark=True) for ys, xs in bars]
    words = PageWords(number=page.number, width=page.image.width * pt, height=page.image.height * pt,
                      words=to_words(found, page.dpi, boxes, ocr_ink), rects=ruling.rects + bar_rects,
                      inputs=[b.input_box(page.dpi) for b in boxes])
    return ScannedPage(words=words, checkboxes=boxes, mean_confidence=mean)
